"""Write tests/data/corpus/: small odd, broken and adversarial image files, all generated here.

Run `python tests/data/make_corpus.py` to regenerate (the output is deterministic). Real-world
files that broke the decoder once (fuzzer finds, odd exports) can be dropped into the folder
beside these: tests/test_decode_corpus.py runs every file there. The pillow-* files are copied
from Pillow's Tests/images (HPND licence, MIT-like; Copyright Secret Labs AB, Fredrik Lundh,
Jeffrey A. Clark and contributors).
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

CORPUS = Path(__file__).parent / "corpus"

# exif_transpose's method for each orientation, and the stored picture is its inverse applied.
STORED_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}
QUADRANTS = ((255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255))  # TL, TR, BL, BR as seen


def save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gradient(width: int = 48, height: int = 32) -> Image.Image:
    y, x = np.mgrid[0:height, 0:width]
    planes = [x * 255 // (width - 1), y * 255 // (height - 1), (x + y) * 4 % 256]
    return Image.fromarray(np.stack(planes, axis=-1).astype(np.uint8), "RGB")


def quadrants(width: int = 64, height: int = 48) -> Image.Image:
    """The picture as it should be seen: red, green / blue, white."""
    image = Image.new("RGB", (width, height))
    half_w, half_h = width // 2, height // 2
    boxes = [(0, 0), (half_w, 0), (0, half_h), (half_w, half_h)]
    for (left, top), colour in zip(boxes, QUADRANTS, strict=True):
        image.paste(colour, (left, top, left + half_w, top + half_h))
    return image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_file(width: int, height: int, depth: int, colour: int, raw: bytes, *extra: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + b"".join(extra)
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )


def header_bomb_png() -> bytes:
    """A valid PNG header claiming 50000x50000 (2.5 gigapixels) over a tiny body."""
    return png_file(50_000, 50_000, 8, 2, b"\x00" * 65536)


def small_header_bomb_png() -> bytes:
    """Under the pixel limit (144 MP), but far more than its few bytes can hold."""
    return png_file(12_000, 12_000, 8, 2, b"\x00" * 65536)


def rgb16_png() -> bytes:
    rows = np.linspace(0, 65535, 16 * 3).astype(">u2").reshape(1, 48)
    raw = b"".join(b"\x00" + rows.tobytes() for _ in range(12))
    return png_file(16, 12, 16, 2, raw)


def grey16_png() -> bytes:
    ramp = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (16, 1))
    return save(Image.fromarray(ramp), "PNG")


def grey16_big_endian_tiff() -> bytes:
    ramp = np.tile(np.linspace(0, 65535, 64).astype(">u2"), (16, 1))
    return save(Image.frombytes("I;16B", (64, 16), ramp.tobytes()), "TIFF")


def palette_with_transparency_gif() -> bytes:
    image = gradient().convert("P")
    return save(image, "GIF", transparency=0)


def float_tiff_with_nan() -> bytes:
    values = np.tile(np.linspace(-2.0, 6.0, 32, dtype=np.float32), (16, 1))
    values[0, :4] = np.nan
    values[1, :4] = np.inf
    values[2, :4] = -np.inf
    return save(Image.fromarray(values, "F"), "TIFF")


def int32_tiff() -> bytes:
    values = np.tile(np.linspace(0, 4095, 32).astype(np.int32), (8, 1))
    return save(Image.fromarray(values, "I"), "TIFF")


def transparent_png() -> bytes:
    return save(Image.new("RGBA", (40, 30), (200, 100, 50, 0)), "PNG")


def psd(channels: int) -> bytes:
    """A minimal Photoshop file: no layers, the composite as raw planes (what Pillow opens)."""
    image = gradient()
    if channels == 4:
        image.putalpha(Image.linear_gradient("L").resize(image.size))
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, channels, image.height, image.width, 8, 3)
    sections = struct.pack(">III", 0, 0, 0)  # colour mode data, resources, layers and masks
    planes = b"".join(band.tobytes() for band in image.split())
    return header + sections + struct.pack(">H", 0) + planes


def dds_unknown_fourcc() -> bytes:
    """A DirectDraw Surface in a compression Pillow does not implement."""
    header = struct.pack("<3I", 0x1007, 4, 4) + struct.pack("<3I", 0, 0, 0) + bytes(44)
    pixel_format = struct.pack("<2I4sI", 32, 0x4, b"ZZZZ", 0) + bytes(16)
    return b"DDS " + struct.pack("<I", 124) + header + pixel_format + bytes(20) + bytes(64)


def icns_bomb() -> bytes:
    """An Apple icon whose 512px@2x entry is a PNG claiming 50000x50000."""
    entry = header_bomb_png()
    block = b"ic10" + struct.pack(">I", 8 + len(entry)) + entry
    return b"icns" + struct.pack(">I", 8 + len(block)) + block


def jpeg_header_bomb() -> bytes:
    """A few hundred bytes of JPEG whose frame header claims 10000x10000 (100 MP)."""
    data = bytearray(save(Image.new("RGB", (16, 16), (90, 120, 150)), "JPEG", quality=50))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 10_000, 10_000)
    return bytes(data)


def truncated(data: bytes, share: float = 0.5) -> bytes:
    return data[: int(len(data) * share)]


def exif_rotated_jpeg(orientation: int) -> bytes:
    method = STORED_AS[orientation]
    stored = quadrants() if method is None else quadrants().transpose(method)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return save(stored, "JPEG", quality=95, exif=exif.tobytes())


def corrupt_lzw_tiff() -> bytes:
    """LZW strips overwritten with 0xff: libtiff's decoder fails (and would print why)."""
    data = bytearray(save(gradient(32, 24), "TIFF", compression="tiff_lzw"))
    data[20:300] = b"\xff" * 280
    return bytes(data)


def corrupt_exif_jpeg() -> bytes:
    """EXIF whose description tag claims 1000 bytes past the end of the block."""
    ifd = struct.pack("<HHHII", 1, 0x010E, 2, 1000, 26) + struct.pack("<I", 0)
    exif = b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd
    return save(gradient(), "JPEG", quality=90, exif=exif)


def malformed_mpo() -> bytes:
    """A JPEG with a multi-picture (MPF) segment that does not parse."""
    data = save(gradient(), "JPEG", quality=90)
    mpf = b"MPF\x00II*\x00" + struct.pack("<IH", 8, 2) + bytes(30)
    return data[:2] + b"\xff\xe2" + struct.pack(">H", len(mpf) + 2) + mpf + data[2:]


def invalid_apng() -> bytes:
    actl = png_chunk(b"acTL", struct.pack(">II", 0, 0))  # zero frames: invalid
    raw = b"".join(b"\x00" + bytes([x * 16 for x in range(16)]) * 3 for _ in range(8))
    return png_file(16, 8, 8, 2, raw, actl)


def zero_size_ppm() -> bytes:
    return b"P6\n0 0\n255\n"


def bmp_with_unset_alpha() -> bytes:
    """A 32-bit BMP declaring an alpha mask whose bytes are all 0, as many writers leave them."""
    image = gradient()
    rows = b"".join(
        image.crop((0, y, image.width, y + 1)).convert("RGBA").tobytes("raw", "BGRA")
        for y in reversed(range(image.height))
    )
    pixels = bytes(b if i % 4 != 3 else 0 for i, b in enumerate(rows))
    masks = struct.pack("<4I", 0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000)
    info = struct.pack(
        "<IiiHHIIiiII", 108, image.width, image.height, 1, 32, 3, len(pixels), 0, 0, 0, 0
    )
    info += masks + bytes(108 - len(info) - len(masks))
    offset = 14 + len(info)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + pixels


def spider() -> bytes:
    return save(gradient().convert("F"), "SPIDER")


def random_bytes() -> bytes:
    return random.Random(14).randbytes(4096)


FILES: dict[str, Callable[[], bytes]] = {
    "empty.png": lambda: b"",
    "random.jpg": random_bytes,
    "text-named.png": lambda: b"hello, I am not a picture\n" * 20,
    "truncated.png": lambda: truncated(save(gradient(200, 150), "PNG")),
    "truncated.jpg": lambda: truncated(save(gradient(200, 150), "JPEG", quality=90)),
    "header-bomb-50000.png": header_bomb_png,
    "header-bomb-12000.png": small_header_bomb_png,
    "jpeg-claims-10000x10000.jpg": jpeg_header_bomb,
    "icns-bomb.icns": icns_bomb,
    "unknown-fourcc.dds": dds_unknown_fourcc,
    "grib-stub.grib": lambda: b"GRIB\x00\x00\x00\x01" + bytes(64),
    "bufr-stub.bufr": lambda: b"BUFR" + bytes(64),
    "hdf5-stub.h5": lambda: b"\x89HDF\r\n\x1a\n" + bytes(64),
    "zero-size.ppm": zero_size_ppm,
    "grey16.png": grey16_png,
    "rgb16.png": rgb16_png,
    "grey16-big-endian.tif": grey16_big_endian_tiff,
    "palette-transparency.gif": palette_with_transparency_gif,
    "float-nan-inf.tif": float_tiff_with_nan,
    "int32.tif": int32_tiff,
    "transparent.png": transparent_png,
    "rgb.psd": lambda: psd(3),
    "rgba.psd": lambda: psd(4),
    "spider.spi": spider,
    "bmp-unset-alpha.bmp": bmp_with_unset_alpha,
    "corrupt-lzw.tif": corrupt_lzw_tiff,
    "cmyk.jpg": lambda: save(gradient().convert("CMYK"), "JPEG", quality=90),
    "corrupt-exif.jpg": corrupt_exif_jpeg,
    "invalid-apng.png": invalid_apng,
    "malformed-mpo.jpg": malformed_mpo,
    **{f"exif-orientation-{n}.jpg": (lambda n=n: exif_rotated_jpeg(n)) for n in STORED_AS},
}


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for name, make in FILES.items():
        (CORPUS / name).write_bytes(make())
    print(f"wrote {len(FILES)} files to {CORPUS}")


if __name__ == "__main__":
    main()
