"""The one door to Pillow's decoders: whatever a file makes them raise or warn becomes an
:class:`ImageLoadError` with one line for the user, and what comes out is 8-bit RGB or RGBA.

Memory: a decode holds at most the decoded image plus one converted copy (about 9 bytes a
pixel at worst, 1.35 GB at the 150 MP limit); deep images are reduced in bands.
"""

from __future__ import annotations

import ctypes
import functools
import io
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

if TYPE_CHECKING:  # numpy loads only for deep images: showing a photo does not need it
    import numpy as np

MAX_SOURCE_PIXELS = 150_000_000
ORIENTATION_TAG = 0x0112
SWAPPING_ORIENTATIONS = (5, 6, 7, 8)  # the ones that swap width and height
DEEP_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
BAND_PIXELS = 1 << 18  # deep images are reduced to 8 bits this many pixels at a time
# Huffman-coded JPEG spends at least one bit on every 8x8 block; arithmetic coding (these frame
# markers) has no such floor.
JPEG_ARITHMETIC_MARKERS = tuple(b"\xff" + bytes([code]) for code in (0xC9, 0xCA, 0xCB, 0xCD))
DETAIL_LENGTH = 90


class ImageLoadError(Exception):
    """A file that cannot be used as a source, with a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@contextmanager
def decoding(name: str) -> Iterator[None]:
    """Turns whatever the decode raises into one line; drops warnings when the decode succeeds."""
    quiet_libtiff()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except ImageLoadError:
            raise
        except Exception as exc:  # Pillow's plugins raise many kinds: each becomes one line
            first_warning = str(caught[0].message) if caught else ""
            raise ImageLoadError(explain(exc, name, first_warning)) from None


@functools.cache
def quiet_libtiff() -> None:
    """Stop libtiff printing its complaints on stderr (Pillow raises its own exception anyway).

    Pillow offers no setting for it: the handlers are cleared in the libtiff it loaded, found in
    /proc/self/maps; elsewhere (macOS, Windows) nothing is done.
    """
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    for path in {line.split()[-1] for line in maps.splitlines() if "/libtiff" in line}:
        try:
            library = ctypes.CDLL(path)
            library.TIFFSetErrorHandler(None)
            library.TIFFSetWarningHandler(None)
        except (OSError, AttributeError):
            continue


def explain(exc: Exception, name: str, warning: str = "") -> str:
    """One line saying what is wrong with the file ``name``, given what decoding it raised."""
    if isinstance(exc, Image.DecompressionBombError):
        claimed = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(claimed.group(1)) // 1_000_000} MP, " if claimed else ""
        return f"{name} is too large to open safely: {size}over {megapixels()}"
    if isinstance(exc, MemoryError):
        return f"{name} is too large to decode in the memory available"
    if isinstance(exc, UnidentifiedImageError):
        return f"{name} is not an image Outpaint Studio can read"
    own_words = isinstance(exc, (OSError, ValueError, SyntaxError, EOFError, NotImplementedError))
    detail = one_line(str(exc) if own_words and str(exc) else warning)
    if "truncated" in detail or "coder error" in detail:  # Pillow's words that add nothing
        detail = ""
    if isinstance(exc, NotImplementedError):
        return f"{name} uses an image variant Outpaint Studio cannot read" + detail
    return f"{name} is damaged or truncated" + detail


def one_line(text: str) -> str:
    """`` (text)`` squeezed onto one short line, or nothing."""
    words = " ".join(text.split())
    if len(words) > DETAIL_LENGTH:
        words = words[: DETAIL_LENGTH - 1] + "…"
    return f" ({words})" if words else ""


def megapixels() -> str:
    return f"{MAX_SOURCE_PIXELS // 1_000_000} MP"


def open_file(path: Path) -> tuple[BinaryIO, int]:
    """The file open for reading, and its size in bytes, or :class:`ImageLoadError`."""
    try:
        handle = path.open("rb")
    except IsADirectoryError:
        raise ImageLoadError(f"{path.name} is a folder, not an image") from None
    except FileNotFoundError:
        raise ImageLoadError(f"{path} does not exist") from None
    except OSError as exc:
        raise ImageLoadError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    return handle, os.fstat(handle.fileno()).st_size


def open_checked(stream: IO[bytes], name: str, size_in_bytes: int) -> ImageFile.ImageFile:
    """Pillow's lazy open, refusing up front what is not an image or is too large to decode."""
    if size_in_bytes == 0:
        raise ImageLoadError(f"{name} is empty (0 bytes)")
    opened = Image.open(stream)
    width, height = opened.size
    if isinstance(opened, ImageFile.StubImageFile):
        raise ImageLoadError(
            f"{name} is {opened.format} data, not an image Outpaint Studio can read"
        )
    if width <= 0 or height <= 0:
        raise ImageLoadError(
            f"{name} is not an image Outpaint Studio can read: {width}x{height} px"
        )
    if width * height > MAX_SOURCE_PIXELS:
        raise ImageLoadError(
            f"{name} is too large to open safely: {width}x{height} px, over {megapixels()}"
        )
    if opened.format == "JPEG" and size_in_bytes * 8 < width * height // 64:
        stream.seek(0)
        if not any(marker in stream.read() for marker in JPEG_ARITHMETIC_MARKERS):
            raise ImageLoadError(
                f"{name} is damaged: its header claims {width}x{height} px, far more than "
                f"its {size_in_bytes} bytes can hold"
            )
    return opened


def orientation(image: Image.Image) -> int:
    """The EXIF orientation that :func:`ImageOps.exif_transpose` applies (1 when none)."""
    value = image.getexif().get(ORIENTATION_TAG, 1)
    return value if value in range(1, 9) else 1


def oriented_size(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    return (height, width) if orientation(image) in SWAPPING_ORIENTATIONS else (width, height)


def load_oriented(opened: Image.Image) -> Image.Image:
    """Decode in full and apply the EXIF orientation in place (no second full-size copy).

    Not ``seek(0)``: ``open`` is already on the picture (a PSD's composite is before frame 1).
    """
    opened.load()
    ImageOps.exif_transpose(opened, in_place=True)
    return opened


def visible(image: Image.Image, name: str) -> Image.Image:
    """``image``, unless every pixel is fully transparent."""
    if image.mode == "RGBA" and _alpha_range(image)[1] == 0:
        raise ImageLoadError(f"{name} is fully transparent: nothing visible was given")
    return image


def normalise_mode(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has real transparency."""
    image = to_8bit(image)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ALPHA_MODES:
        opaque = _alpha_range(image)[0] == 255
        if opaque and image.mode != "La":
            return image.convert("RGB")
        return image if image.mode == "RGBA" else image.convert("RGBA")
    if image.mode == "CMYK":
        return _cmyk_to_rgb(image)
    return image if image.mode == "RGB" else image.convert("RGB")


def _alpha_range(image: Image.Image) -> tuple[int, int]:
    """The lowest and highest alpha of an image with an alpha band (the last), with no copy."""
    bands = cast("tuple[tuple[int, int], ...]", image.getextrema())
    return bands[-1]


def to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit greys to 8 bits, in bands: integers by their range, floats by the extent
    of their finite values (NaN counts as 0, infinities as the nearest finite extreme)."""
    if image.mode not in DEEP_MODES:
        return image
    import numpy as np

    low, high = _value_range(image)
    scale = 255.0 / ((high - low) or 1.0)
    reduced = Image.new("L", image.size)
    for top, band in _bands(image):
        values = band.astype("float32")
        if image.mode == "F":
            np.nan_to_num(values, copy=False, nan=0.0, posinf=high, neginf=low)
        values -= low
        values *= scale
        values.clip(0.0, 255.0, out=values)
        reduced.paste(Image.fromarray(values.round().astype("uint8"), "L"), (0, top))
    return reduced


def _value_range(image: Image.Image) -> tuple[float, float]:
    if image.mode == "F":
        return _finite_extent(image)
    if image.mode == "I" and image.getextrema()[1] <= 255:  # type: ignore[operator]
        return 0.0, 255.0
    return 0.0, 65535.0


def _finite_extent(image: Image.Image) -> tuple[float, float]:
    import numpy as np

    low, high = np.inf, -np.inf
    for _, band in _bands(image):
        finite = band[np.isfinite(band)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    return (low, high) if low <= high else (0.0, 0.0)


def _bands(image: Image.Image) -> Iterator[tuple[int, np.ndarray]]:
    """(top row, pixel array) for horizontal bands of about :data:`BAND_PIXELS` pixels."""
    import numpy as np

    rows = max(1, BAND_PIXELS // image.width)
    for top in range(0, image.height, rows):
        bottom = min(image.height, top + rows)
        yield top, np.asarray(image.crop((0, top, image.width, bottom)))


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if profile:
        try:
            from PIL import ImageCms

            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(image, source_profile, srgb, outputMode="RGB")
            if converted is not None:
                return converted
        except (OSError, ImageCms.PyCMSError):
            pass
    return image.convert("RGB")
