"""Placing a job's source: decoded no larger than it is sent, scaled and cropped to what is
uploaded, and the checked request."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from outpaint_studio.core.images import SourceImage, prepare_upload, resize
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.layout import Placement
from outpaint_studio.core.request import OutpaintRequest, encode_image_bytes
from outpaint_studio.core.source import Source, pixels


@dataclass
class PlacedSource:
    placement: Placement  # the layout at the size sent, before any auto-crop
    scaled: Image.Image  # the source at that size, before any auto-crop
    upload_image: Image.Image  # what is sent: scaled, cropped to the canvas under auto-crop
    offset_x: int | None  # the upload's offsets
    offset_y: int | None


def decoded_for(params: JobParams, source: Source) -> SourceImage:
    """The source's pixels, decoded no larger than the job sends them."""
    placement = params.placement(source.size)
    return pixels(source, (placement.source_width, placement.source_height))


def place(params: JobParams, source: SourceImage) -> PlacedSource:
    """Scale the source and crop away what auto-crop would drop anyway (less to upload)."""
    placement = params.placement(source.size)
    scaled = resize(source.image, (placement.source_width, placement.source_height))
    if params.auto_crop and placement.overhang().any() and not placement.visible_box().is_empty():
        visible = placement.visible_box()
        cropped = scaled.crop(placement.crop_box().as_tuple())
        return PlacedSource(placement, scaled, cropped, visible.left, visible.top)
    return PlacedSource(placement, scaled, scaled, params.offset_x, params.offset_y)


def build_request(params: JobParams, source: SourceImage, placed: PlacedSource) -> OutpaintRequest:
    """Encode the upload and build a checked request (raises InvalidRequest)."""
    upload = prepare_upload(source, placed.upload_image)
    offsets = (placed.offset_x, placed.offset_y)
    request = params.request(encode_image_bytes(upload.data), placed.upload_image.size, offsets)
    return request.validate()
