"""A source sent scaled is decoded no larger than sent (a JPEG's draft scale), the original only
when a step needs it, and a batch holds no decoded photos while it waits on the service."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from bfl_sim import BflSimulator
from memory import peak_rss_mb
from photos import API_KEY, photo_like
from PIL import Image

from outpaint_studio.core.images import load_image, resize
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.placing import decoded_for, place
from outpaint_studio.core.source import open_source

ORIENTATION = 0x0112
BATCH = 12
JOBS = 6  # inputs at once: the old code held as many photos decoded whole
BIG = (6028, 3391)  # 20.4 MP, the camera photos of issue 14


def smooth_photo(width: int, height: int) -> Image.Image:
    """Texture at a photo's scale: fine structure, but not per-pixel noise."""
    small = photo_like(max(1, width // 4), max(1, height // 4))
    return small.resize((width, height), Image.Resampling.BICUBIC)


def save_jpeg(image: Image.Image, path: Path, orientation: int = 1) -> Path:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    image.save(path, quality=92, exif=exif.tobytes())
    return path


@pytest.mark.parametrize(
    ("stored", "orientation", "scale"),
    [((1603, 1201), 1, 0.25), ((1603, 1201), 1, 0.3), ((1600, 1200), 6, 0.125)],
)
def test_a_draft_decode_sends_what_a_full_decode_would(
    tmp_path: Path, stored: tuple[int, int], orientation: int, scale: float
) -> None:
    path = save_jpeg(smooth_photo(*stored), tmp_path / "photo.jpg", orientation)
    params = JobParams(input=str(path), width=1024, height=1024, scale=scale)
    drafted = decoded_for(params, open_source(path))
    full = load_image(path)
    assert drafted.size == full.size == (stored[::-1] if orientation == 6 else stored)
    sent = place(params, drafted).scaled.size
    factor = round(full.image.width / drafted.image.width)
    assert factor >= 2 and drafted.image.width >= sent[0] and drafted.image.height >= sent[1]
    assert drafted.data is None  # a reduced decode is never mistaken for the file's own bytes
    # The decoder's reduction is a block average of the full decode (computed on its DCT
    # coefficients, so equal up to rounding): the same reduction of a full decode, resized
    # to the size sent the same way, gives the same pixels. Colour, stored at half size,
    # is enlarged by the decoder in its own way: a little further off at sharp colour edges.
    ours = place(params, drafted).scaled.convert("YCbCr")
    theirs = resize(full.image.reduce(factor), sent).convert("YCbCr")
    difference = np.abs(np.asarray(ours, dtype=np.int16) - np.asarray(theirs, dtype=np.int16))
    luma, colour = difference[..., 0], difference[..., 1:]
    assert luma.mean() <= 0.7 and np.percentile(luma, 99.9) <= 3
    assert colour.mean() <= 1.5 and np.percentile(colour, 99.9) <= 14


def test_full_res_keeps_every_original_pixel_of_a_drafted_jpeg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = save_jpeg(smooth_photo(800, 600), tmp_path / "big.jpg")
    params = JobParams(input=str(photo), width=320, height=240, scale=0.25)
    assert decoded_for(params, open_source(photo)).image.size == (200, 150)  # the draft path
    with BflSimulator(api_key=API_KEY, drift=7) as drifting:
        monkeypatch.setenv("BFL_API_KEY", API_KEY)
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", drifting.base_url)
        out = tmp_path / "full.png"
        args = ["--scale", "0.25", "--width", "320", "--height", "240", "--full-res"]
        offsets = ["--offset-x", "60", "--offset-y", "45"]
        from outpaint_studio.app import main

        assert main(["extend", str(photo), *args, *offsets, "-o", str(out)]) == 0
    with Image.open(out) as result, Image.open(photo) as original:
        ours, theirs = np.asarray(result.convert("RGB")), np.asarray(original.convert("RGB"))
    assert ours.shape == (960, 1280, 3)
    band = 32  # the feather band (8 px at the size sent) blends the edge
    assert np.array_equal(ours[180 + band : 780 - band, 240 + band : 1040 - band],
                          theirs[band:-band, band:-band])  # fmt: skip


def test_a_batch_of_big_photos_holds_less_than_one_decoded_photo(tmp_path: Path) -> None:
    first = save_jpeg(smooth_photo(*BIG), tmp_path / "photo00.jpg")
    inputs = [str(first)]
    for index in range(1, BATCH):
        inputs.append(shutil.copyfile(first, tmp_path / f"photo{index:02}.jpg").as_posix())
    env = {**os.environ, "BFL_API_KEY": API_KEY, "OUTPAINT_STUDIO_HOME": str(tmp_path / "home")}
    # the bound: the app's imports and one photo decoded whole, as the batch used to hold
    # for every input at once while waiting on the service
    one = "from outpaint_studio.cli import main\nfrom outpaint_studio.core.images import " \
          f"load_image\nload_image({str(first)!r})"  # fmt: skip
    one_photo, _ = peak_rss_mb(one, env, tmp_path / "one")
    with BflSimulator(api_key=API_KEY, finish_after=0.5) as service:
        env["OUTPAINT_STUDIO_API_URL"] = service.base_url
        extend = ["extend", *inputs, "--scale", "0.125", "--width", "1024", "--height", "576",
                  "--jobs", str(JOBS), "--out-dir", str(tmp_path / "out"), "--json"]  # fmt: skip
        run = f"from outpaint_studio.cli import main\ncode = main({extend!r})"
        batch, printed = peak_rss_mb(run, env, tmp_path / "batch")
        assert service.submit_count == BATCH
    states = [json.loads(line)["state"] for line in printed.splitlines()]
    print(f"peak: {BATCH} photos {batch:.0f} MB, the app with one decoded {one_photo:.0f} MB")
    assert states == ["saved"] * BATCH
    assert batch < one_photo, f"{BATCH} photos peaked at {batch:.0f} MB, one {one_photo:.0f} MB"
