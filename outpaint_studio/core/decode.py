"""The one door to Pillow's decoders: whatever a file makes them raise or warn becomes an
:class:`ImageLoadError` with one line for the user.

Memory: a file is refused before decoding when its header claims more than the limit; a decode
holds the decoded image and at most two converted copies, about 9 bytes a pixel at worst
(1.35 GB at the 150 MP limit).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, ClassVar

from PIL import Image, ImageFile, UnidentifiedImageError

from outpaint_studio.core.pixels import alpha_range
from outpaint_studio.core.words import reason

MAX_SOURCE_PIXELS = 150_000_000
ORIENTATION_TAG = 0x0112
UPRIGHT = {  # what turns a picture stored with each EXIF orientation upright
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SWAPPING_ORIENTATIONS = (5, 6, 7, 8)  # the ones that swap width and height
# The most pixels one byte of a file can hold: Huffman-coded JPEG spends at least a bit on every
# 8x8 block of each component (a bit per 256 px with the most lopsided sampling, 4x1 and 1x4);
# PNG's deflate packs at most 1032 bytes into one, of 1-bit pixels at the least. Arithmetic-coded
# JPEG (these frame markers) has no such floor.
MOST_PIXELS_PER_BYTE = {"JPEG": 256 * 8, "PNG": 1032 * 8}
JPEG_ARITHMETIC_MARKERS = tuple(
    b"\xff" + bytes([code]) for code in (0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF)
)
DETAIL_LENGTH = 90
UNSUPPORTED_WORDS = ("unsupported", "unimplemented", "not configured", "not supported")
# Writers often leave a 32-bit BMP's fourth byte at 0: there an all-zero alpha means none.
UNSET_ALPHA_FORMATS = ("BMP", "DIB")

# Pillow also logs some refusals; with no handler Python would print them on stderr.
logging.getLogger("PIL").addHandler(logging.NullHandler())


try:  # HEIC/HEIF support when the optional plugin is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - depends on the environment
    pass


class ImageLoadError(Exception):
    """A file that cannot be used as a source, with a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@contextmanager
def decoding(name: str) -> Iterator[None]:
    """Turns whatever the decode raises into one line; drops warnings when the decode succeeds."""
    quiet_libtiff()
    with captured_warnings() as caught:
        try:
            yield
        except ImageLoadError:
            raise
        except Exception as exc:  # Pillow's plugins raise many kinds: each becomes one line
            raise ImageLoadError(explain(exc, name, caught[0] if caught else "")) from None


class _Capture:
    """The process-wide warning state while any thread decodes, and each decoding thread's list.

    ``warnings.catch_warnings`` swaps global state: nested in concurrent threads (the CLI's
    workers, a superseded load in the editor) it restores out of order and leaves warnings
    swallowed. So the first decode in installs one capture and the last one out restores it.
    """

    lock = threading.Lock()
    context: warnings.catch_warnings[None] | None = None
    passed_on: Callable[..., None] = warnings.showwarning
    lists: ClassVar[dict[int, list[str]]] = {}


@contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """The texts of the warnings this thread raises inside the block (none reach the user)."""
    caught: list[str] = []
    with _Capture.lock:
        if not _Capture.lists:
            _Capture.context = warnings.catch_warnings()
            _Capture.context.__enter__()
            warnings.simplefilter("always")
            _Capture.passed_on, warnings.showwarning = warnings.showwarning, _sort_warning
        _Capture.lists[threading.get_ident()] = caught
    try:
        yield caught
    finally:
        with _Capture.lock:
            del _Capture.lists[threading.get_ident()]
            if not _Capture.lists and _Capture.context is not None:
                _Capture.context.__exit__(None, None, None)
                _Capture.context = None


def _sort_warning(message: Warning | str, *args: Any, **kwargs: Any) -> None:
    """Into the decoding thread's list; another thread's warning goes where it went before."""
    caught = _Capture.lists.get(threading.get_ident())
    if caught is None:
        _Capture.passed_on(message, *args, **kwargs)
    else:
        caught.append(str(message))


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
    said = str(exc) if own_words and str(exc) else warning
    if "Ghostscript" in said:
        return f"{name} is PostScript: opening it needs Ghostscript, which is not installed"
    detail = one_line(said)
    if "truncated" in detail.lower() or "coder error" in detail:  # Pillow's words that add nothing
        detail = ""
    if isinstance(exc, NotImplementedError) or any(w in said.lower() for w in UNSUPPORTED_WORDS):
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
        raise ImageLoadError(f"cannot read {path.name}: {reason(exc)}") from None
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
    most = MOST_PIXELS_PER_BYTE.get(opened.format or "")
    if most and width * height > size_in_bytes * most and not _arithmetic_jpeg(opened, stream):
        raise ImageLoadError(
            f"{name} is damaged: its header claims {width}x{height} px, far more than "
            f"its {size_in_bytes} bytes can hold"
        )
    return opened


def _arithmetic_jpeg(opened: Image.Image, stream: IO[bytes]) -> bool:
    stream.seek(0)
    return opened.format == "JPEG" and any(m in stream.read() for m in JPEG_ARITHMETIC_MARKERS)


def orientation(image: Image.Image) -> int:
    """The EXIF (or XMP) orientation, 1 when none or not a valid one."""
    value = image.getexif().get(ORIENTATION_TAG, 1)
    return value if value in UPRIGHT else 1


def oriented_size(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    return (height, width) if orientation(image) in SWAPPING_ORIENTATIONS else (width, height)


def upright(image: Image.Image, orientation: int) -> Image.Image:
    """The image as it is meant to be seen, given its EXIF orientation."""
    method = UPRIGHT[orientation]
    return image if method is None else image.transpose(method)


def visible(image: Image.Image, name: str, fmt: str | None) -> Image.Image:
    """``image``, unless every pixel is fully transparent."""
    if image.mode != "RGBA" or alpha_range(image)[1] > 0:
        return image
    if fmt in UNSET_ALPHA_FORMATS:
        return image.convert("RGB")
    raise ImageLoadError(f"{name} is fully transparent: nothing visible was given")
