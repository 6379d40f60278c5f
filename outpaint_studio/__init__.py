"""Outpaint Studio: extend images with FLUX outpainting or a built-in offline engine."""

__version__ = "0.1.0"
APP_ID = "studio.outpaint.OutpaintStudio"
APP_NAME = "Outpaint Studio"
