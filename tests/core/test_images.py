import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from photos import encoded, photo_like
from PIL import Image

from outpaint_studio.core.files import write_atomic
from outpaint_studio.core.images import (
    ImageLoadError,
    decode_image,
    load_image,
    prepare_upload,
    resize,
)
from outpaint_studio.core.preview import load_preview


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header claiming a huge size, with a tiny compressed body."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 65536)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


BAD_FILES = {
    "empty.png": (b"", "empty"),
    "random.jpg": (os.urandom(4096), "not an image"),
    "text.png": (b"hello, I am not a picture\n" * 20, "not an image"),
    "bomb.png": (png_bomb(50_000, 50_000), "too large"),
    "wide.png": (png_bomb(200_000, 1_000), "too large"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_give_a_clear_error(tmp_path: Path, name: str) -> None:
    data, words = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImageLoadError) as caught:
        load_image(path)
    assert words in caught.value.message
    assert "Traceback" not in caught.value.message


def test_truncated_jpeg_is_refused(tmp_path: Path) -> None:
    data = encoded(photo_like(400, 300), "JPEG", quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match="damaged or truncated"):
        load_image(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="does not exist"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("CMYK", "RGB"), ("L", "RGB"), ("LA", "RGBA"), ("1", "RGB"), ("I;16", "RGB"), ("P", "RGB")],
)
def test_modes_are_normalised(mode: str, expected: str) -> None:
    image = photo_like(64, 48).convert("RGBA" if mode == "LA" else "RGB")
    if mode == "I;16":
        values = (np.asarray(image.convert("L"), dtype=np.uint16) * 257).astype("<u2")
        image = Image.frombytes("I;16", (64, 48), values.tobytes())
    elif mode == "LA":
        image.putalpha(Image.linear_gradient("L").resize((64, 48)))
        image = image.convert("LA")
    else:
        image = image.convert(mode)
    fmt = "TIFF" if mode in ("CMYK", "I;16") else "PNG"
    source = decode_image(encoded(image, fmt))
    assert source.image.mode == expected
    assert source.size == (64, 48)


def test_sixteen_bit_keeps_its_range() -> None:
    ramp = np.tile(np.linspace(0, 65535, 256).astype("<u2"), (8, 1))
    source = decode_image(encoded(Image.frombytes("I;16", (256, 8), ramp.tobytes()), "PNG"))
    grey = np.asarray(source.image)[..., 0]
    assert grey[0, 0] == 0 and grey[0, -1] == 255


def test_palette_with_transparency_keeps_alpha() -> None:
    image = Image.new("P", (32, 32), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (8, 8, 24, 24))
    image.info["transparency"] = 0
    source = decode_image(encoded(image, "PNG", transparency=0))
    assert source.image.mode == "RGBA"
    assert source.image.getpixel((0, 0))[3] == 0
    assert source.image.getpixel((16, 16)) == (255, 0, 0, 255)


def test_animated_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "blue", "green")]
    buffer_data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    source = decode_image(buffer_data)
    assert source.image.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_exif_orientation_is_applied_and_forces_a_reencode() -> None:
    image = photo_like(60, 40)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    source = decode_image(encoded(image, "JPEG", exif=exif.tobytes(), quality=95))
    assert source.size == (40, 60) and source.reoriented
    upload = prepare_upload(source, source.image)
    assert not upload.untouched and upload.size == (40, 60)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_unchanged_files_are_sent_byte_for_byte(fmt: str) -> None:
    data = encoded(photo_like(80, 60), fmt)
    source = decode_image(data)
    upload = prepare_upload(source, source.image)
    assert upload.untouched and upload.data == data


def test_scaled_or_odd_formats_are_encoded_once() -> None:
    source = decode_image(encoded(photo_like(80, 60), "BMP"))
    upload = prepare_upload(source, source.image)
    assert not upload.untouched and upload.format == "jpeg"
    assert Image.open(__import__("io").BytesIO(upload.data)).size == (80, 60)
    rgba = decode_image(encoded(photo_like(80, 60).convert("RGBA").rotate(10), "PNG"))
    small = resize(rgba.image, (40, 30))
    upload = prepare_upload(rgba, small)
    assert upload.format == "png" and upload.size == (40, 30)


def test_atomic_write_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "out.png"
    assert write_atomic(b"one", target) == target
    second = write_atomic(b"two", target)
    third = write_atomic(b"three", target)
    assert (second.name, third.name) == ("out-1.png", "out-2.png")
    assert target.read_bytes() == b"one"
    assert write_atomic(b"four", target, overwrite=True) == target
    assert target.read_bytes() == b"four"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out-1.png", "out-2.png", "out.png"]


@pytest.mark.parametrize("progressive", [False, True])
def test_preview_is_small_oriented_and_close_to_the_image(
    tmp_path: Path, progressive: bool
) -> None:
    image = photo_like(1200, 800)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "big.jpg"
    image.save(path, quality=92, progressive=progressive, exif=exif.tobytes())
    preview = load_preview(path, (300, 300)).image
    assert max(preview.size) <= 300 and preview.size[1] > preview.size[0]  # rotated
    full = load_image(path).image.resize(preview.size)
    difference = np.abs(np.asarray(full, int) - np.asarray(preview, int)).mean()
    assert difference < 12


@pytest.mark.parametrize("progressive", [False, True])
def test_preview_is_decoded_at_the_smallest_jpeg_scale_that_fills_the_view(
    tmp_path: Path, progressive: bool
) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored 1200x800, seen 800x1200
    path = tmp_path / "turned.jpg"
    photo_like(1200, 800).save(path, quality=92, progressive=progressive, exif=exif.tobytes())
    # fitted in a 150x400 view the photo is 150x225: 1/4 scale (200x300) fills it, 1/8 does not
    assert load_preview(path, (150, 400)).image.size == (200, 300)


def test_preview_of_an_image_with_no_reduced_decode_is_reduced_to_fit_the_view(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wide.png"
    photo_like(1200, 800).save(path)
    assert load_preview(path, (150, 400)).image.size == (150, 100)


def test_a_preview_at_the_whole_size_is_the_whole_image(tmp_path: Path) -> None:
    """A progressive JPEG that fits the view: not its first scans only (never made sharper)."""
    path = tmp_path / "progressive.jpg"
    photo_like(1600, 1200).save(path, quality=95, progressive=True)
    assert path.stat().st_size > 256 * 1024  # the quick path would apply
    preview = load_preview(path, (2000, 2000)).image
    assert np.array_equal(np.asarray(preview), np.asarray(load_image(path).image))


def test_preview_of_a_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not really")
    with pytest.raises(ImageLoadError, match="damaged or truncated"):
        load_preview(path, (300, 300))


def test_preview_of_a_truncated_progressive_jpeg_fails_as_the_full_load_does(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cut.jpg"
    photo_like(1600, 1200).save(path, quality=95, progressive=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 9 // 10])
    assert len(data) * 9 // 10 > 256 * 1024  # past the share the quick path would decode
    for load in (load_image, lambda cut: load_preview(cut, (300, 300))):
        with pytest.raises(ImageLoadError, match="damaged or truncated"):
            load(path)
