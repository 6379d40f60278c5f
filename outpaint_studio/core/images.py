"""Images in and out: decoding anything Pillow reads, upload encoding, and atomic saving."""

from __future__ import annotations

import io
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

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
from outpaint_studio.core.decode import ImageLoadError as ImageLoadError  # callers catch it here
from outpaint_studio.core.file_formats import FILE_FORMATS, pillow_format
from outpaint_studio.core.pixels import normalise_mode

MAX_UPLOAD_BYTES = 14_000_000  # raw bytes; base64 makes ~18.7 MB, under the 20 MB seen on BFL
UNTOUCHED_FORMATS = {fmt.pillow: fmt.name for fmt in FILE_FORMATS.values()}  # sent as they are
UNTOUCHED_MODES = {"RGB", "RGBA", "L", "LA", "P"}
DRAFT_SCALES = (8, 4, 2)  # the reductions a JPEG decoder makes as it decodes


@dataclass
class SourceImage:
    """A decoded source: orientation applied, mode RGB or RGBA, plus what it came from.

    ``image`` may be a reduced decode (see :func:`load_image`); ``size`` is always the
    original's.
    """

    image: Image.Image
    data: bytes | None = None
    format: str | None = None
    original_mode: str = "RGB"
    reoriented: bool = False
    path: Path | None = None
    original_size: tuple[int, int] | None = None  # when ``image`` is a reduced decode

    @property
    def size(self) -> tuple[int, int]:
        return self.original_size or self.image.size

    @property
    def has_alpha(self) -> bool:
        return self.image.mode == "RGBA"


@dataclass(frozen=True)
class Upload:
    """The reference image bytes to send."""

    data: bytes
    format: str  # "jpeg", "png" or "webp"
    size: tuple[int, int]
    untouched: bool


def load_image(
    path: str | os.PathLike[str], at_least: tuple[int, int] | None = None
) -> SourceImage:
    """The file decoded; with ``at_least`` (width, height, upright), a JPEG is decoded at the
    smallest of its 1/2, 1/4 and 1/8 scales that still covers that size, for a job that sends
    the source scaled (resize it to the exact size)."""
    path = Path(path)
    handle, size_in_bytes = open_file(path)
    with handle:
        source = _decode(handle, path.name, size_in_bytes, at_least)
        if source.data is not None:  # read again only the bytes that may be sent untouched
            handle.seek(0)
            source.data = handle.read()
    source.path = path
    return source


def decode_image(data: bytes, name: str = "the image") -> SourceImage:
    """Decode bytes into a :class:`SourceImage`, or raise :class:`ImageLoadError`."""
    source = _decode(io.BytesIO(data), name, len(data))
    if source.data is not None:
        source.data = data
    return source


def _decode(
    stream: IO[bytes], name: str, size_in_bytes: int, at_least: tuple[int, int] | None = None
) -> SourceImage:
    """The source, with ``data`` set to ``b""`` when its bytes could be sent untouched."""
    with decoding(name):
        image: Image.Image = open_checked(stream, name, size_in_bytes)
        fmt, mode, turn = image.format, image.mode, orientation(image)
        full_size = oriented_size(image)
        if at_least is not None:
            _draft(image, at_least[::-1] if turn in SWAPPING_ORIENTATIONS else at_least)
        image.load()  # not seek(0) first: a PSD's composite comes before its frame 1
        image = normalise_mode(image)  # one name throughout: each step frees the last
        image = visible(upright(image, turn), name, fmt)
    reduced = image.size != full_size
    sendable = fmt in UNTOUCHED_FORMATS and size_in_bytes <= MAX_UPLOAD_BYTES and not reduced
    return SourceImage(
        image=image,
        data=b"" if sendable else None,
        format=fmt,
        original_mode=mode,
        reoriented=turn != 1,
        original_size=full_size if reduced else None,
    )


def _draft(image: Image.Image, at_least: tuple[int, int]) -> None:
    """Ask a JPEG's decoder for its most reduced scale whose size (rounded up, as it decodes)
    still covers ``at_least``; other formats decode whole."""
    width, height = image.size
    for scale in DRAFT_SCALES:
        if -(-width // scale) >= at_least[0] and -(-height // scale) >= at_least[1]:
            # Pillow takes the largest scale at which the size asked for fits: this one
            image.draft(None, (max(1, width // scale), max(1, height // scale)))
            return


def resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def prepare_upload(source: SourceImage, image: Image.Image, lossless: bool = False) -> Upload:
    """The bytes to send for ``image`` (the source as placed: scaled and cropped).

    The original file's bytes go out untouched when ``image`` is the unchanged source and
    the file is a JPEG, PNG or WebP the service reads; otherwise the image is encoded once.
    """
    unchanged = image is source.image and not source.reoriented
    if (
        unchanged
        and source.data is not None
        and source.format in UNTOUCHED_FORMATS
        and source.original_mode in UNTOUCHED_MODES
        and len(source.data) <= MAX_UPLOAD_BYTES
    ):
        return Upload(source.data, UNTOUCHED_FORMATS[source.format], image.size, untouched=True)
    fmt = "png" if lossless or image.mode == "RGBA" else "jpeg"
    return Upload(encode_image(image, fmt), fmt, image.size, untouched=False)


# Run-length matching at level 1: on photos and fills (30 MP outputs) as small as Pillow's default
# level 6 (within 1 %) in a third to a quarter of its time; level 4 took 1.3 to 2.6 times as long.
PNG_OPTIONS: dict[str, object] = {"compress_level": 1, "compress_type": zlib.Z_RLE}


def encode_image(
    image: Image.Image,
    fmt: str,
    pnginfo: object | None = None,
    exif: bytes | None = None,
    xmp: bytes | None = None,
) -> bytes:
    """Encode for saving or upload: JPEG at quality 95 with full chroma, PNG, or WebP.

    ``pnginfo`` (text chunks) applies to PNG, ``xmp`` (a packet) to JPEG and WebP.
    """
    pil_format = pillow_format(fmt)
    options: dict[str, object] = {}
    if pil_format == "JPEG":
        if image.mode == "RGBA":
            image = image.convert("RGB")
        options = {"quality": 95, "subsampling": 0}
    elif pil_format == "WEBP":
        options = {"quality": 95, "method": 4}
    else:
        options = dict(PNG_OPTIONS)
        if pnginfo is not None:
            options["pnginfo"] = pnginfo
    if exif:
        options["exif"] = exif
    if xmp and pil_format != "PNG":
        options["xmp"] = xmp
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()
