"""A layer stack as a Photoshop document (Photoshop, Affinity, Photopea, GIMP, Krita open it)."""

from __future__ import annotations

import io

from psd_tools import PSDImage
from psd_tools.api.layers import PixelLayer
from psd_tools.constants import Compression, Resource
from psd_tools.psd.image_resources import ImageResource

from outpaint_studio.core.jobs import JobRecord
from outpaint_studio.core.layers import LayerStack
from outpaint_studio.core.metadata import xmp_packet

MAX_SIDE = 30_000  # a PSD's limit; beyond it only the large document format (PSB) goes


def encode_psd(stack: LayerStack, record: JobRecord) -> bytes:
    """The stack as an RGB PSD: the original's alpha becomes its layer mask, the flat export
    the document's merged image, the job's metadata its XMP."""
    if max(stack.size) > MAX_SIDE:
        width, height = stack.size
        raise ValueError(f"{width}x{height} px is larger than a PSD can hold ({MAX_SIDE} px)")
    document = PSDImage.frompil(stack.flat, compression=Compression.RLE)
    for layer in stack.layers:
        pixels = PixelLayer.frompil(
            layer.image, document, layer.name, layer.top, layer.left, Compression.RLE
        )
        pixels.visible = layer.visible
        document.append(pixels)
    xmp = ImageResource(key=Resource.XMP_METADATA, data=xmp_packet(record))
    document.image_resources[Resource.XMP_METADATA] = xmp
    buffer = io.BytesIO()
    # save() would replace the merged image with psd-tools' own rendering of the layers (its
    # rounding, and slow); the document's record keeps the flat export's pixels as they are.
    document._record.write(buffer)
    return buffer.getvalue()
