"""The desktop editor (PySide6): ``MainWindow`` over one editor model."""

from outpaint_studio.ui.main_window import MainWindow

__all__ = ["MainWindow"]
