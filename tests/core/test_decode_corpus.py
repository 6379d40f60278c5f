"""Any file in, a clear word out: the odd-file corpus through both decode paths, and memory.
(The editor's loader meets the same corpus in tests/model/test_loader.py.)"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from data.make_corpus import CORPUS, FILES, QUADRANTS, gradient
from PIL import Image

from outpaint_studio.core.decode import explain
from outpaint_studio.core.images import ImageLoadError, load_image
from outpaint_studio.core.pixels import normalise_mode, to_8bit
from outpaint_studio.core.preview import load_preview

# What each generated file must give: the words of its error, or None when it must load.
EXPECTED: dict[str, str | None] = {
    "empty.png": "is empty (0 bytes)",
    "random.jpg": "not an image Outpaint Studio can read",
    "text-named.png": "not an image Outpaint Studio can read",
    "truncated.png": "damaged or truncated",
    "truncated.jpg": "damaged or truncated",
    "corrupt-lzw.tif": "damaged or truncated",
    "header-bomb-50000.png": "too large to open safely: 2500 MP, over 150 MP",
    "jpeg-claims-10000x10000.jpg": "claims 10000x10000 px",
    "header-bomb-12000.png": "claims 12000x12000 px",
    "icns-bomb.icns": "too large to open safely",
    "unknown-fourcc.dds": "uses an image variant Outpaint Studio cannot read",
    "grib-stub.grib": "GRIB data, not an image",
    "bufr-stub.bufr": "BUFR data, not an image",
    "hdf5-stub.h5": "HDF5 data, not an image",
    "zero-size.ppm": "not an image Outpaint Studio can read",
    "transparent.png": "fully transparent: nothing visible was given",
    "grey16.png": None,
    "rgb16.png": None,
    "grey16-big-endian.tif": None,
    "palette-transparency.gif": None,
    "float-nan-inf.tif": None,
    "int32.tif": None,
    "rgb.psd": None,
    "rgba.psd": None,
    "spider.spi": None,
    "cmyk.jpg": None,
    "corrupt-exif.jpg": None,  # Pillow warns about the EXIF; the picture is fine
    "invalid-apng.png": None,  # Pillow warns "Invalid APNG"; the first image is fine
    "malformed-mpo.jpg": None,  # Pillow warns it reads the file as a plain JPEG, which is fine
    "bmp-unset-alpha.bmp": None,  # an alpha band of zeros in a BMP means none
    **{f"exif-orientation-{n}.jpg": None for n in range(1, 9)},
}
# A few of Pillow's own test images (see tests/data/make_corpus.py), and what they must give.
EXPECTED_COPIES: dict[str, str | None] = {
    "pillow-rgba.psd": None,  # layers and a composite, from Photoshop
    "pillow-five_channels.psd": None,
    "pillow-negative_layer_count.psd": "fully transparent",
    "pillow-libtiff_segfault.tif": "not an image Outpaint Studio can read",
    "pillow-oom-225817ca.tif": "not an image Outpaint Studio can read",
    "pillow-fli_overrun2.bin": "damaged or truncated",
    "pillow-png_decompression_dos.png": "damaged or truncated",
    "pillow-unimplemented_pixel_format.dds": "uses an image variant Outpaint Studio cannot read",
    "pillow-rgb24png.bmp": "uses an image variant Outpaint Studio cannot read",
}
EXPECTED_ALL = EXPECTED | EXPECTED_COPIES
PREVIEW_SIDE = 32


def full(path: Path) -> Image.Image:
    return load_image(path).image


def preview(path: Path) -> Image.Image:
    return load_preview(path, (PREVIEW_SIDE, PREVIEW_SIDE)).image


DECODERS: dict[str, Callable[[Path], Image.Image]] = {"load_image": full, "preview": preview}
CORPUS_FILES = sorted(path.name for path in CORPUS.iterdir())


def test_the_corpus_is_generated_and_covered() -> None:
    assert set(FILES) <= set(CORPUS_FILES), "run tests/data/make_corpus.py"
    assert set(EXPECTED) == set(FILES)
    assert set(EXPECTED_COPIES) <= set(CORPUS_FILES)


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_file_loads_or_says_in_one_line_what_is_wrong(name: str, decoder: str) -> None:
    """Files dropped into the corpus by hand get the general rule; generated ones their word."""
    try:
        image = DECODERS[decoder](CORPUS / name)
    except ImageLoadError as exc:
        message = exc.message
        assert message.startswith(name) and "\n" not in message and len(message) < 160
        assert "Traceback" not in message and "0x0 px, over" not in message
        expected = EXPECTED_ALL.get(name, "")
        assert expected is not None, f"{name} should load, got: {message}"
        assert expected in message
    else:
        assert image.mode in ("RGB", "RGBA") and min(image.size) > 0
        assert EXPECTED_ALL.get(name) is None, f"{name} should have been refused"


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_comes_out_as_seen(orientation: int, decoder: str) -> None:
    image = DECODERS[decoder](CORPUS / f"exif-orientation-{orientation}.jpg")
    assert image.width > image.height  # every sample is seen as landscape, 64x48
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    half_h, half_w = image.height // 2, image.width // 2
    centres = [(half_h // 2, half_w // 2), (half_h // 2, half_w + half_w // 2)]
    centres += [(half_h + half_h // 2, half_w // 2), (half_h + half_h // 2, half_w + half_w // 2)]
    for (row, column), colour in zip(centres, QUADRANTS, strict=True):
        assert np.abs(pixels[row, column] - colour).max() < 40


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@pytest.mark.parametrize("name", ["grey16.png", "grey16-big-endian.tif"])
def test_sixteen_bit_ramps_keep_their_range_in_either_byte_order(name: str, decoder: str) -> None:
    image = DECODERS[decoder](CORPUS / name)
    ramp = np.asarray(image)[0, :, 0].astype(int)
    assert np.abs(ramp - np.linspace(0, 255, len(ramp))).max() <= 4  # the preview is resampled


def test_a_bmp_alpha_left_at_zero_is_no_alpha() -> None:
    assert np.array_equal(np.asarray(full(CORPUS / "bmp-unset-alpha.bmp")), np.asarray(gradient()))


def test_psd_opens_as_its_composite() -> None:
    assert np.array_equal(np.asarray(full(CORPUS / "rgb.psd")), np.asarray(gradient()))
    with_alpha = full(CORPUS / "rgba.psd")
    assert with_alpha.mode == "RGBA"
    assert np.array_equal(np.asarray(with_alpha)[..., :3], np.asarray(gradient()))


@pytest.mark.parametrize("decoder", sorted(DECODERS))
def test_float_tiff_non_finite_values_do_not_blacken_the_rest(decoder: str) -> None:
    grey = np.asarray(DECODERS[decoder](CORPUS / "float-nan-inf.tif"))[..., 0]
    ramp = grey[8]  # a row of finite values from -2.0 to 6.0
    assert np.abs(ramp - np.linspace(0, 255, len(ramp))).max() <= 1  # the finite extent
    if decoder == "load_image":
        assert list(grey[0:3, 0]) == [64, 255, 0]  # NaN as the value 0.0; infinities as extremes


def test_concurrent_decodes_keep_their_warnings_and_restore_the_filters() -> None:
    """The CLI decodes in worker threads: each keeps its own warnings, and afterwards the
    process's warning settings are as they were (a later warning still reaches the caller)."""
    before = (list(warnings.filters), warnings.showwarning)
    names = ["invalid-apng.png", "corrupt-exif.jpg", "grey16.png", "truncated.png"] * 60
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(_outcome, names))
    assert outcomes == [_outcome(name) for name in names]
    assert (list(warnings.filters), warnings.showwarning) == before
    with pytest.warns(UserWarning, match="still heard"):
        warnings.warn("still heard", UserWarning, stacklevel=1)


def _outcome(name: str) -> str:
    try:
        return load_image(CORPUS / name).image.mode
    except ImageLoadError as exc:
        return exc.message


def test_a_warning_explains_an_error_that_says_nothing() -> None:
    message = explain(ZeroDivisionError("division by zero"), "scan.tif", "Tag offset too large")
    assert message == "scan.tif is damaged or truncated (Tag offset too large)"
    assert explain(OSError("Truncated File Read"), "a.png") == "a.png is damaged or truncated"
    ghostscript = OSError("Unable to locate Ghostscript on paths")
    assert "needs Ghostscript, which is not installed" in explain(ghostscript, "a.eps")
    assert (
        explain(MemoryError(), "scan.tif")
        == "scan.tif is too large to decode in the memory available"
    )


@pytest.mark.parametrize("mode", ["La", "PA", "RGBa", "RGBX", "YCbCr", "LAB", "HSV", "I;16B", "I"])
def test_every_pillow_mode_becomes_rgb_or_rgba(mode: str) -> None:
    image = Image.new(mode, (8, 8))
    assert normalise_mode(image).mode == ("RGBA" if mode in ("La", "PA", "RGBa") else "RGB")


def test_floats_spanning_the_whole_float32_range_are_reduced_without_overflow() -> None:
    extremes = np.array([[-3.4e38, 0.0, 3.4e38, np.nan]], dtype=np.float32)
    reduced = to_8bit(Image.fromarray(extremes, "F"))
    assert list(np.asarray(reduced)[0]) == [0, 128, 255, 128]


@pytest.mark.parametrize("mode", ["I;16", "F"])
def test_deep_images_are_reduced_without_a_full_size_numpy_copy(mode: str) -> None:
    width, height = 4000, 3000
    ramp = np.linspace(0, 65535, width) if mode == "I;16" else np.linspace(-3.0, 9.0, width)
    values = np.tile(ramp.astype(np.uint16 if mode == "I;16" else np.float32), (height, 1))
    if mode == "F":
        values[::7, ::5] = np.nan
    image = Image.fromarray(values)
    del values, ramp
    tracemalloc.start()
    try:
        reduced = to_8bit(image)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reduced.mode == "L" and reduced.getextrema() == (0, 255)
    assert abs(reduced.getpixel((width // 2, 1)) - 128) <= 1  # type: ignore[operator]
    assert peak < width * height, f"{peak / 1e6:.0f} MB traced for a 12 MP image"


QUIET_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from outpaint_studio.core.images import ImageLoadError, load_image
    from outpaint_studio.core.preview import load_preview

    for path in sorted(Path(sys.argv[1]).iterdir()):
        for decode in (load_image, lambda path: load_preview(path, (32, 32))):
            try:
                decode(path)
            except ImageLoadError:
                pass
    """
)


def test_decoding_the_corpus_prints_nothing() -> None:
    """No warning escapes (-W error) and no C library (libtiff) writes to stderr."""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", QUIET_SCRIPT, str(CORPUS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


PEAK_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy  # loaded before the baseline, as in the app
    from outpaint_studio.core.images import load_image

    def kilobytes(field):
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1])

    open("/proc/self/clear_refs", "w").write("5")  # restart the peak from here
    before = kilobytes("VmRSS:")
    source = load_image(sys.argv[1])
    print(source.size[0] * source.size[1], (kilobytes("VmHWM:") - before) * 1024)
    """
)


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux peak RSS only")
@pytest.mark.parametrize("mode", ["I;16", "LA"])
def test_a_large_image_is_decoded_within_four_times_its_rgb_size(tmp_path: Path, mode: str) -> None:
    width, height = 4000, 3000
    ramp = np.tile(np.linspace(0, 65535, width).astype(np.uint16), (height, 1))
    path = tmp_path / "large.tif"
    if mode == "I;16":
        Image.fromarray(ramp).save(path)
    else:  # grey with an opaque alpha: widened to RGB once, not through RGBA first
        grey = Image.fromarray((ramp >> 8).astype(np.uint8))
        Image.merge("LA", (grey, Image.new("L", grey.size, 255))).save(path)
    del ramp
    result = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    pixels, peak = map(int, result.stdout.split())
    assert pixels == width * height
    assert peak <= 4 * 3 * pixels, f"peak {peak / 1e6:.0f} MB for {pixels / 1e6:.0f} MP"


@pytest.mark.parametrize(
    ("mode", "fmt", "options"),
    [
        ("L", "JPEG", {"optimize": True, "progressive": True}),
        ("RGB", "JPEG", {"optimize": True, "progressive": True}),
        ("1", "PNG", {"optimize": True}),
    ],
)
def test_a_flat_but_real_file_is_not_taken_for_a_header_bomb(
    tmp_path: Path, mode: str, fmt: str, options: dict[str, object]
) -> None:
    """The fewest bytes a real file can have: one flat colour, compressed as hard as it goes."""
    path = tmp_path / f"flat.{fmt.lower()}"
    Image.new(mode, (4000, 3000), 0).save(path, fmt, **options)
    assert path.stat().st_size < 100_000  # under 0.07 bits a pixel
    assert load_image(path).size == (4000, 3000)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_a_dropped_file_is_checked_for_a_layout_without_a_fuss(name: str) -> None:
    """Every drop is first read for an exported layout: any file gives one or None."""
    from outpaint_studio.core.metadata import read_layout

    assert read_layout(CORPUS / name) is None
