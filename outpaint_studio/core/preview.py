"""A quick, reduced decode for showing a large photo at once while the full one loads."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from outpaint_studio.core.decode import (
    SWAPPING_ORIENTATIONS,
    decoding,
    open_checked,
    open_file,
    orientation,
    oriented_size,
    upright,
    visible,
)
from outpaint_studio.core.pixels import normalise_mode, to_8bit

# A progressive JPEG's first scans already hold the whole picture at lower quality; decoding
# only them (the file cut short, with an end marker) is several times faster than all of it.
PROGRESSIVE_SHARE = 0.2
JPEG_END = b"\xff\xd9"


@dataclass(frozen=True)
class Preview:
    image: Image.Image  # reduced to fill the view (see load_preview), oriented, RGB or RGBA
    full_size: tuple[int, int]  # the whole image's size, orientation applied


def load_preview(path: str | os.PathLike[str], view: tuple[int, int]) -> Preview:
    """The image reduced to fill ``view`` (width, height in pixels), or :class:`ImageLoadError`.

    A JPEG is decoded at the smallest scale (1/8, 1/4, 1/2 or whole) that still covers the image
    fitted in ``view``, and kept at that size; other images are decoded whole and reduced to fit.
    A preview of the image's whole size is the whole image, as the full load gives it.
    """
    path = Path(path)
    handle, size_in_bytes = open_file(path)
    with handle, decoding(path.name):
        opened = open_checked(handle, path.name, size_in_bytes)
        full_size = oriented_size(opened)
        image = None
        if _progressive(opened) and fitted_size(full_size, view) != full_size:
            image = _progressive_start(handle, size_in_bytes, view)  # whole size: whole quality
        if image is None:
            image = _reduced(opened, view)
        return Preview(visible(normalise_mode(image), path.name, opened.format), full_size)


def _progressive(opened: Image.Image) -> bool:
    return opened.format == "JPEG" and bool(opened.info.get("progressive"))


def _progressive_start(handle: BinaryIO, size: int, view: tuple[int, int]) -> Image.Image | None:
    """The reduced image from the file's first scans, or None when that shortcut does not apply.

    A file that does not end as a JPEG does is decoded whole, to fail as the full load will.
    """
    cut = max(256 * 1024, int(size * PROGRESSIVE_SHARE))
    handle.seek(size - len(JPEG_END))
    if cut >= size or handle.read() != JPEG_END:
        return None
    handle.seek(0)
    start = handle.read(cut) + JPEG_END
    try:
        return _reduced(Image.open(io.BytesIO(start)), view)
    except Exception:  # any failure of the shortcut: the whole file is decoded instead
        return None


def fitted_size(size: tuple[int, int], view: tuple[int, int]) -> tuple[int, int]:
    """``size`` reduced to fit in ``view``, keeping its aspect; never enlarged."""
    width, height = size
    scale = min(view[0] / width, view[1] / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _reduced(opened: Image.Image, view: tuple[int, int]) -> Image.Image:
    turn = orientation(opened)
    stored_view = (view[1], view[0]) if turn in SWAPPING_ORIENTATIONS else view
    wanted = fitted_size(opened.size, stored_view)
    opened.draft("RGB", wanted)  # the smallest JPEG scale that still covers ``wanted``
    opened.load()  # here, while the file is open (thumbnail leaves a small image unloaded)
    image = to_8bit(opened)  # before resampling: Pillow resamples big-endian 16-bit wrongly
    if image.width >= 2 * wanted[0] or image.height >= 2 * wanted[1]:  # no draft scale applied
        image.thumbnail(wanted, Image.Resampling.BILINEAR)
    return upright(image, turn)
