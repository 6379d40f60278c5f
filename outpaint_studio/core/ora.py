"""A layer stack as an OpenRaster file (Krita, GIMP, MyPaint): a zip of PNG layers.

The layout follows the OpenRaster spec: ``mimetype`` first and stored, ``stack.xml`` listing
the layers top first, one PNG per layer, ``mergedimage.png`` and ``Thumbnails/thumbnail.png``.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.etree import ElementTree

from PIL import Image

from outpaint_studio.core.jobs import JobRecord
from outpaint_studio.core.layers import Layer, LayerStack
from outpaint_studio.core.metadata import png_text

MIMETYPE = b"image/openraster"
THUMBNAIL_SIDE = 256
SPEC_VERSION = "0.0.6"


def encode_ora(stack: LayerStack, record: JobRecord) -> bytes:
    """The stack as OpenRaster; the merged image carries the job's metadata as PNG text."""
    sources = [f"data/layer{index}.png" for index in range(len(stack.layers))]
    thumbnail = stack.flat.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("mimetype", MIMETYPE)  # first and uncompressed, as the spec asks
        archive.writestr("stack.xml", _stack_xml(stack, sources), zipfile.ZIP_DEFLATED)
        for layer, source in zip(stack.layers, sources, strict=True):
            archive.writestr(source, _png(layer.image))  # PNG is compressed already
        archive.writestr("mergedimage.png", _png(stack.flat, pnginfo=png_text(record)))
        archive.writestr("Thumbnails/thumbnail.png", _png(thumbnail))
    return buffer.getvalue()


def _stack_xml(stack: LayerStack, sources: list[str]) -> bytes:
    width, height = stack.size
    image = ElementTree.Element("image", version=SPEC_VERSION, w=str(width), h=str(height))
    layers = ElementTree.SubElement(image, "stack")
    for layer, source in reversed(list(zip(stack.layers, sources, strict=True))):
        layers.append(_layer_element(layer, source))
    return ElementTree.tostring(image, encoding="utf-8", xml_declaration=True)


def _layer_element(layer: Layer, source: str) -> ElementTree.Element:
    attributes = {
        "name": layer.name,
        "src": source,
        "x": str(layer.left),
        "y": str(layer.top),
        "opacity": "1.0",
        "visibility": "visible" if layer.visible else "hidden",
        "composite-op": "svg:src-over",
    }
    return ElementTree.Element("layer", attributes)


def _png(image: Image.Image, **options: object) -> bytes:
    """Fast PNG: zlib's run-length strategy at level 1 encodes a photo about twice as fast as
    the flat export's level 4, for a few per cent more bytes (the layers of a 30 MP result
    would otherwise take over 3x its flat export)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1, compress_type=zlib.Z_RLE, **options)
    return buffer.getvalue()
