"""A quick, reduced decode for showing a large photo at once while the full one loads."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from outpaint_studio.core.images import MAX_SOURCE_PIXELS, ImageLoadError, normalise_mode

# A progressive JPEG's first scans already hold the whole picture at lower quality; decoding
# only them (the file cut short, with an end marker) is several times faster than all of it.
PROGRESSIVE_SHARE = 0.2
JPEG_END = b"\xff\xd9"


def load_preview(path: str | os.PathLike[str], max_side: int) -> Image.Image:
    """The image at most ``max_side`` px on its long side, oriented, RGB or RGBA."""
    name = Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImageLoadError(f"cannot read {name}: {exc.strerror or exc}") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return _decode_preview(data, max_side, name, shortcut=True)
        except ImageLoadError:
            raise
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            pass
        try:
            return _decode_preview(data, max_side, name, shortcut=False)
        except Image.DecompressionBombError:
            raise ImageLoadError(f"{name} is too large to open safely") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise ImageLoadError(f"{name} is not an image this app can read") from None


def _decode_preview(data: bytes, max_side: int, name: str, shortcut: bool) -> Image.Image:
    with Image.open(io.BytesIO(data)) as opened:
        width, height = opened.size
        if width * height > MAX_SOURCE_PIXELS:
            raise ImageLoadError(f"{name} is too large to open safely")
        if shortcut and opened.format == "JPEG" and opened.info.get("progressive"):
            cut = max(256 * 1024, int(len(data) * PROGRESSIVE_SHARE))
            if cut < len(data):
                return _decode_preview(data[:cut] + JPEG_END, max_side, name, shortcut=False)
        longest = max(width, height)
        wanted = (max(1, width * max_side // longest), max(1, height * max_side // longest))
        opened.draft("RGB", wanted)  # keeps the aspect, so 1/4 or 1/8 scale can apply
        oriented = ImageOps.exif_transpose(opened)
        oriented.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
        return normalise_mode(oriented)
