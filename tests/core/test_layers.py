"""Layered exports (PSD, OpenRaster) and the generated-area mask, read back by their readers."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from bfl_sim import BflSimulator
from photos import API_KEY, image_array, photo_like
from PIL import Image
from psd_tools import PSDImage
from psd_tools.constants import Resource

from outpaint_studio.app import main
from outpaint_studio.core.compose import feather_weights
from outpaint_studio.core.jobs import JobRecord, Journal
from outpaint_studio.core.layer_export import (
    LayerExportError,
    job_layers,
    mask_path,
    write_layers,
    write_mask,
)
from outpaint_studio.core.metadata import PNG_KEY
from outpaint_studio.core.settings import journal_dir

SOURCE = (320, 240)  # at (40, 72) on a 512x384 canvas: every edge of the source is open
CANVAS = ["--width", "512", "--height", "384", "--offset-x", "40", "--offset-y", "72"]
NAMES = ["Generated", "Original", "Generated area"]


@pytest.fixture
def drifting(monkeypatch: pytest.MonkeyPatch) -> Iterator[BflSimulator]:
    """FLUX against the simulator, which re-draws the source 5 levels off: a band that blends
    two different images shows any error in the weights."""
    with BflSimulator(api_key=API_KEY, drift=5) as simulator:
        monkeypatch.setenv("BFL_API_KEY", API_KEY)
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", simulator.base_url)
        yield simulator


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    photo_like(*SOURCE).save(path)
    return path


def extend(photo: Path, out: Path, *options: str) -> JobRecord:
    assert main(["extend", str(photo), *CANVAS, "-o", str(out), *options]) == 0
    [record] = [r for r in Journal(journal_dir()).records() if r.output_path == str(out)]
    return record


def band_alpha(width: int, height: int, feather: int = 8) -> np.ndarray:
    """The original's alpha with every edge open: the paste-back's weights in 8 bits."""
    weights = feather_weights(width, height, feather, (True, True, True, True))
    return np.rint(weights * 255).astype(np.uint8)


def expected_area(box: tuple[int, int, int, int], alpha: np.ndarray) -> np.ndarray:
    left, top, right, bottom = box
    area = np.full((384, 512), 255, dtype=np.uint8)
    area[top:bottom, left:right] = 255 - alpha
    return area


def recomposite(generated: np.ndarray, original: np.ndarray, left: int, top: int) -> np.ndarray:
    """What an editor shows: the original's RGB over the generated layer by its alpha."""
    out = generated.astype(np.float64)
    height, width = original.shape[:2]
    under = out[top : top + height, left : left + width]
    alpha = original[..., 3:4] / 255.0
    under[:] = under * (1 - alpha) + original[..., :3] * alpha
    return np.rint(out)


def test_psd_has_the_three_layers_and_the_flat_export_as_its_composite(
    drifting: BflSimulator, photo: Path, tmp_path: Path
) -> None:
    record = extend(photo, tmp_path / "out.png")
    written = write_layers(job_layers(record), record, tmp_path / "out.psd", overwrite=False)
    flat = image_array(tmp_path / "out.png")

    document = PSDImage.open(written)
    assert document.size == (512, 384)
    assert [layer.name for layer in document] == NAMES
    assert [layer.offset for layer in document] == [(0, 0), (40, 72), (0, 0)]
    assert [layer.size for layer in document] == [(512, 384), SOURCE, (512, 384)]
    assert [layer.visible for layer in document] == [True, True, False]
    assert np.array_equal(np.asarray(document.composite().convert("RGB")), flat)

    generated, original, area = document
    kept = image_array(Path(record.history_path or ""))
    assert np.array_equal(np.asarray(generated.topil().convert("RGB")), kept)
    assert np.array_equal(np.asarray(original.topil().convert("RGB")), image_array(photo))
    assert original.mask is not None and original.mask.bbox == (40, 72, 360, 312)
    alpha = np.asarray(original.mask.topil())
    assert np.array_equal(alpha, band_alpha(*SOURCE))
    grey = np.asarray(area.topil().convert("L"))
    assert np.array_equal(grey, expected_area((40, 72, 360, 312), alpha))

    xmp = document.image_resources.get_data(Resource.XMP_METADATA)
    assert b"outpaint:parameters" in xmp and b"photo.png" in xmp and API_KEY.encode() not in xmp


def test_psd_merged_image_read_by_pillow(
    drifting: BflSimulator, photo: Path, tmp_path: Path
) -> None:
    """Pillow's PSD reader, written apart from psd-tools (it skips layers that have a mask)."""
    record = extend(photo, tmp_path / "out.png")
    written = write_layers(job_layers(record), record, tmp_path / "out.psd", overwrite=False)
    with Image.open(written) as document:
        merged = np.asarray(document.convert("RGB"))
    assert np.array_equal(merged, image_array(tmp_path / "out.png"))


@pytest.mark.skipif(shutil.which("convert") is None, reason="needs ImageMagick's convert")
def test_psd_layers_read_by_imagemagick(
    drifting: BflSimulator, photo: Path, tmp_path: Path
) -> None:
    """ImageMagick's PSD coder: the layers, where they sit, which are hidden (it composes a
    hidden layer with "None"), and its own flattening of the visible ones, mask applied."""
    record = extend(photo, tmp_path / "out.png")
    written = write_layers(job_layers(record), record, tmp_path / "out.psd", overwrite=False)
    listing = magick(written, "-format", "%l|%g|%[compose]\\n", "info:").splitlines()
    assert listing[1:] == [
        "Generated|512x384+0+0|Over",
        "Original|320x240+40+72|Over",
        "Generated area|512x384+0+0|None",
    ]
    flattened = tmp_path / "flattened.png"
    magick(written, "-delete", "0", "-background", "black", "-flatten", "-alpha", "off", flattened)
    difference = image_array(flattened).astype(int) - image_array(tmp_path / "out.png")
    assert np.abs(difference).max() <= 1


def magick(*arguments: str | Path) -> str:
    command = ["convert", *map(str, arguments)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_layers_put_back_together_give_the_flat_export(
    drifting: BflSimulator, photo: Path, tmp_path: Path
) -> None:
    """An editor blending "Original" over "Generated" by its mask shows the flat export: exact
    outside the feather band, within the one level of rounding an 8-bit mask allows in it."""
    record = extend(photo, tmp_path / "out.png")
    stack = job_layers(record)
    generated, original = (np.asarray(layer.image) for layer in stack.layers[:2])
    shown = recomposite(generated, original, 40, 72)
    flat = image_array(tmp_path / "out.png").astype(np.float64)
    assert np.abs(shown - flat).max() <= 1
    inside = slice(72 + 8, 312 - 8), slice(40 + 8, 360 - 8)
    outside = np.ones((384, 512), dtype=bool)
    outside[72:312, 40:360] = False
    assert np.array_equal(shown[inside], flat[inside])
    assert np.array_equal(shown[outside], flat[outside])
    band = np.abs(flat[72:312, 40:360] - np.asarray(photo_like(*SOURCE))).max()
    assert band > 0  # the band really blends: this test would see wrong weights


def test_ora_follows_the_spec_and_matches_the_flat_export(
    drifting: BflSimulator, photo: Path, tmp_path: Path
) -> None:
    record = extend(photo, tmp_path / "out.png")
    written = write_layers(job_layers(record), record, tmp_path / "out.ora", overwrite=False)
    flat = image_array(tmp_path / "out.png")

    with zipfile.ZipFile(written) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"image/openraster"
        stack = ElementTree.fromstring(archive.read("stack.xml"))
        assert (stack.get("w"), stack.get("h")) == ("512", "384")
        layers = stack.findall("./stack/layer")
        assert [layer.get("name") for layer in layers] == NAMES[::-1]  # top first
        assert [(layer.get("x"), layer.get("y")) for layer in layers] == [
            ("0", "0"), ("40", "72"), ("0", "0")
        ]  # fmt: skip
        assert [layer.get("visibility") for layer in layers] == ["hidden", "visible", "visible"]
        images = {layer.get("name"): read_png(archive, layer.get("src")) for layer in layers}
        merged = read_png(archive, "mergedimage.png")
        thumbnail = read_png(archive, "Thumbnails/thumbnail.png")

    assert np.array_equal(np.asarray(merged.convert("RGB")), flat)
    assert max(thumbnail.size) == 256
    assert json.loads(merged.info[PNG_KEY])["source"] == "photo.png"
    generated, original, area = (images[name] for name in NAMES)
    assert generated.size == (512, 384) and area.size == (512, 384)
    assert np.array_equal(np.asarray(generated), image_array(Path(record.history_path or "")))
    assert original.mode == "RGBA" and original.size == SOURCE
    assert np.array_equal(np.asarray(original.convert("RGB")), image_array(photo))
    alpha = np.asarray(original.getchannel("A"))
    assert np.array_equal(alpha, band_alpha(*SOURCE))
    assert np.array_equal(np.asarray(area), expected_area((40, 72, 360, 312), alpha))


def read_png(archive: zipfile.ZipFile, name: str | None) -> Image.Image:
    image = Image.open(io.BytesIO(archive.read(name or "")))
    image.load()
    return image


def test_mask_is_the_generated_area(drifting: BflSimulator, photo: Path, tmp_path: Path) -> None:
    record = extend(photo, tmp_path / "out.png", "--feather", "0")
    stack = job_layers(record)
    written = write_mask(stack, record, mask_path(tmp_path / "out.png"), overwrite=False)
    assert written == tmp_path / "out-mask.png"
    with Image.open(written) as mask:
        assert mask.mode == "L" and mask.size == (512, 384)
        pixels = np.asarray(mask)
    generated = np.ones((384, 512), dtype=bool)
    generated[72:312, 40:360] = False  # no feather: the source is the original's, all of it
    assert np.array_equal(pixels == 255, generated)
    assert np.array_equal(pixels == 0, ~generated)


def test_full_resolution_layers_keep_the_original_at_its_own_size(
    drifting: BflSimulator, tmp_path: Path
) -> None:
    photo = tmp_path / "big.png"
    big = photo_like(640, 480, seed=4)
    big.save(photo)
    out = tmp_path / "out.png"
    record = extend(photo, out, "--scale", "0.5", "--full-res")
    written = write_layers(job_layers(record), record, tmp_path / "out.psd", overwrite=False)
    document = PSDImage.open(written)
    assert document.size == (1024, 768)
    assert [layer.size for layer in document] == [(1024, 768), (640, 480), (1024, 768)]
    assert document[1].offset == (80, 144)
    assert np.array_equal(np.asarray(document[1].topil().convert("RGB")), np.asarray(big))
    assert np.array_equal(np.asarray(document.composite().convert("RGB")), image_array(out))


def test_without_paste_back_the_original_is_there_but_hidden(
    drifting: BflSimulator, photo: Path, tmp_path: Path
) -> None:
    record = extend(photo, tmp_path / "out.png", "--no-paste-back")
    written = write_layers(job_layers(record), record, tmp_path / "out.ora", overwrite=False)
    with zipfile.ZipFile(written) as archive:
        stack = ElementTree.fromstring(archive.read("stack.xml"))
        visibility = [layer.get("visibility") for layer in stack.findall("./stack/layer")]
        merged = np.asarray(read_png(archive, "mergedimage.png").convert("RGB"))
    assert visibility == ["hidden", "hidden", "visible"]
    assert np.array_equal(merged, image_array(tmp_path / "out.png"))


def test_an_existing_file_is_kept_and_a_missing_source_is_said(
    drifting: BflSimulator, photo: Path, tmp_path: Path
) -> None:
    record = extend(photo, tmp_path / "out.png")
    stack = job_layers(record)
    (tmp_path / "out.psd").write_bytes(b"the user's")
    written = write_layers(stack, record, tmp_path / "out.psd", overwrite=False)
    assert written == tmp_path / "out-1.psd"
    assert (tmp_path / "out.psd").read_bytes() == b"the user's"
    with pytest.raises(LayerExportError, match=r"out\.tiff: layers are exported as \.psd or \.ora"):
        write_layers(stack, record, tmp_path / "out.tiff", overwrite=False)
    photo.unlink()
    with pytest.raises(LayerExportError, match=r"source is needed for the layers: .*photo\.png"):
        job_layers(record)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == [
        "out-1.psd", "out.png", "out.psd"
    ]  # fmt: skip


def test_cli_writes_layers_and_mask_beside_the_output(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.png"
    options = ["--engine", "local", "-o", str(out), "--layers", "ora", "--mask", "--json"]
    assert main(["extend", str(photo), *CANVAS, *options]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["state"] == "saved" and line["error"] is None
    assert (line["layers"], line["mask"]) == (str(tmp_path / "out.ora"), str(mask_path(out)))
    with zipfile.ZipFile(tmp_path / "out.ora") as archive:
        merged = np.asarray(read_png(archive, "mergedimage.png").convert("RGB"))
        original = read_png(archive, "data/layer1.png")
    assert np.array_equal(merged, image_array(out))
    with Image.open(mask_path(out)) as mask:
        alpha = np.asarray(original.getchannel("A"))
        assert np.array_equal(np.asarray(mask), expected_area((40, 72, 360, 312), alpha))


def test_cli_names_layers_after_each_output(tmp_path: Path) -> None:
    inputs = [tmp_path / "a.png", tmp_path / "b.png"]
    for seed, path in enumerate(inputs):
        photo_like(*SOURCE, seed=seed).save(path)
    folder = tmp_path / "out"
    options = ["--engine", "local", "--out-dir", str(folder), "--layers", "psd"]
    assert main(["extend", *map(str, inputs), *CANVAS, *options]) == 0
    for name in ("a", "b"):
        document = PSDImage.open(folder / f"{name}-extended.psd")
        composite = np.asarray(document.composite().convert("RGB"))
        assert np.array_equal(composite, image_array(folder / f"{name}-extended.png"))
    assert not list(folder.glob("*-mask.png"))


def test_cli_fails_the_input_whose_layers_cannot_be_written(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out.psd").mkdir()  # in the way, and --overwrite cannot replace a folder
    options = ["--engine", "local", "-o", str(tmp_path / "out.png"), "--layers", "psd"]
    assert main(["extend", str(photo), *CANVAS, *options, "--overwrite", "--json"]) == 1
    captured = capsys.readouterr()
    line = json.loads(captured.out)
    assert line["state"] == "saved" and line["output"] == str(tmp_path / "out.png")
    assert line["error"].startswith("cannot write out.psd")
    assert "photo.png: cannot write out.psd" in captured.err
    assert "Traceback" not in captured.err
    assert not list(tmp_path.glob(".out.psd*"))  # no half-written file left behind


def test_a_source_hanging_off_the_canvas_is_layered_by_its_visible_part(
    drifting: BflSimulator, photo: Path, tmp_path: Path
) -> None:
    canvas = ["--width", "512", "--height", "384", "--offset-x", "-40", "--offset-y", "72"]
    out = tmp_path / "out.png"
    assert main(["extend", str(photo), *canvas, "--auto-crop", "-o", str(out)]) == 0
    [record] = Journal(journal_dir()).records()
    written = write_layers(job_layers(record), record, tmp_path / "out.psd", overwrite=False)
    document = PSDImage.open(written)
    original = document[1]
    assert (original.offset, original.size) == ((0, 72), (280, 240))
    visible = np.asarray(photo_like(*SOURCE))[:, 40:]
    assert np.array_equal(np.asarray(original.topil().convert("RGB")), visible)
    weights = feather_weights(280, 240, 8, (False, True, True, True))  # the canvas edge is shut
    assert np.array_equal(np.asarray(original.mask.topil()), np.rint(weights * 255))
    assert np.array_equal(np.asarray(document.composite().convert("RGB")), image_array(out))


def test_a_translucent_source_masks_by_its_own_alpha_too(tmp_path: Path) -> None:
    photo = tmp_path / "cutout.png"
    cutout = photo_like(*SOURCE).convert("RGBA")
    alpha = np.full(SOURCE[::-1], 255, dtype=np.uint8)
    alpha[100:140, 100:220] = 64  # a see-through patch in the middle
    cutout.putalpha(Image.fromarray(alpha, "L"))
    cutout.save(photo)
    out = tmp_path / "out.png"
    assert main(["extend", str(photo), *CANVAS, "--engine", "local", "-o", str(out)]) == 0
    [record] = Journal(journal_dir()).records()
    stack = job_layers(record)
    original = np.asarray(stack.layers[1].image)
    expected = np.rint(feather_weights(*SOURCE, 8, (True,) * 4) * alpha / 255.0 * 255)
    assert np.array_equal(original[..., 3], expected)
    assert np.array_equal(np.asarray(stack.flat), image_array(out))


def test_a_format_targets_exact_pixels_scale_every_layer(photo: Path, tmp_path: Path) -> None:
    """A target of exact pixels resizes the flat export; the layers follow it."""
    folder = tmp_path / "out"
    options = ["--targets", "200x250", "--engine", "local", "--out-dir", str(folder)]
    assert main(["extend", str(photo), *options, "--layers", "psd", "--mask"]) == 0
    [record] = Journal(journal_dir()).records()
    assert (record.params.width, record.params.height) != (200, 250)  # the canvas it was made on
    flat = image_array(folder / "photo-200x250.png")
    document = PSDImage.open(folder / "photo-200x250.psd")
    assert document.size == (200, 250)
    assert np.array_equal(np.asarray(document.composite().convert("RGB")), flat)
    generated, original, area = document
    assert generated.size == area.size == (200, 250)
    left, top, right, bottom = original.bbox
    assert 0 <= left < right <= 200 and 0 <= top < bottom <= 250
    with Image.open(folder / "photo-200x250-mask.png") as mask:
        assert mask.size == (200, 250)
        assert np.array_equal(np.asarray(mask), np.asarray(area.topil().convert("L")))
