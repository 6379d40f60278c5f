"""A quick, reduced decode for showing a large photo at once while the full one loads."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from outpaint_studio.core.decode import (
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
    image: Image.Image  # at most ``max_side`` px on its long side, oriented, RGB or RGBA
    full_size: tuple[int, int]  # the whole image's size, orientation applied


def load_preview(path: str | os.PathLike[str], max_side: int) -> Preview:
    """The image reduced to at most ``max_side`` px, or :class:`ImageLoadError`."""
    path = Path(path)
    handle, size_in_bytes = open_file(path)
    with handle, decoding(path.name):
        opened = open_checked(handle, path.name, size_in_bytes)
        full_size = oriented_size(opened)
        image = (
            _progressive_start(handle, size_in_bytes, max_side) if _progressive(opened) else None
        )
        if image is None:
            image = _reduced(opened, max_side)
        return Preview(visible(normalise_mode(image), path.name, opened.format), full_size)


def _progressive(opened: Image.Image) -> bool:
    return opened.format == "JPEG" and bool(opened.info.get("progressive"))


def _progressive_start(handle: BinaryIO, size: int, max_side: int) -> Image.Image | None:
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
        return _reduced(Image.open(io.BytesIO(start)), max_side)
    except Exception:  # any failure of the shortcut: the whole file is decoded instead
        return None


def _reduced(opened: Image.Image, max_side: int) -> Image.Image:
    width, height = opened.size
    longest = max(width, height)
    wanted = (max(1, width * max_side // longest), max(1, height * max_side // longest))
    turn = orientation(opened)
    opened.draft("RGB", wanted)  # keeps the aspect, so 1/4 or 1/8 scale can apply
    opened.load()  # here, while the file is open (thumbnail leaves a small image unloaded)
    image = to_8bit(opened)  # before resampling: Pillow resamples big-endian 16-bit wrongly
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return upright(image, turn)
