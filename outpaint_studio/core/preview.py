"""A quick, reduced decode for showing a large photo at once while the full one loads."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from outpaint_studio.core.decode import (
    ImageLoadError,
    decoding,
    normalise_mode,
    open_checked,
    oriented_size,
    visible,
)

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
    name = Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImageLoadError(f"cannot read {name}: {exc.strerror or exc}") from None
    if not data:
        raise ImageLoadError(f"{name} is empty (0 bytes)")
    with decoding(name):
        opened = open_checked(io.BytesIO(data), name, len(data))
        full_size = oriented_size(opened)
        image = _progressive_start(data, max_side) if _is_progressive(opened) else None
        if image is None:
            image = _reduced(opened, max_side)
        return Preview(visible(normalise_mode(image), name), full_size)


def _is_progressive(opened: Image.Image) -> bool:
    return opened.format == "JPEG" and bool(opened.info.get("progressive"))


def _progressive_start(data: bytes, max_side: int) -> Image.Image | None:
    """The reduced image from the file's first scans, or None when that shortcut fails."""
    cut = max(256 * 1024, int(len(data) * PROGRESSIVE_SHARE))
    if cut >= len(data):
        return None
    try:
        return _reduced(Image.open(io.BytesIO(data[:cut] + JPEG_END)), max_side)
    except Exception:  # any failure of the shortcut: the whole file is decoded instead
        return None


def _reduced(opened: Image.Image, max_side: int) -> Image.Image:
    width, height = opened.size
    longest = max(width, height)
    wanted = (max(1, width * max_side // longest), max(1, height * max_side // longest))
    opened.draft("RGB", wanted)  # keeps the aspect, so 1/4 or 1/8 scale can apply
    opened.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)  # a square: turn after
    ImageOps.exif_transpose(opened, in_place=True)
    return opened
