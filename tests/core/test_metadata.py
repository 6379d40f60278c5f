"""Exports that keep the original and say how they were made, and nothing more."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from bfl_sim import BflSimulator
from photos import API_KEY, encoded, image_array, photo_like
from PIL import Image

from outpaint_studio import __version__
from outpaint_studio.app import main
from outpaint_studio.core.jobs import JobParams, JobRecord, Journal
from outpaint_studio.core.metadata import (
    delete_job_files,
    export_metadata,
    read_layout,
    sidecar_path,
)
from outpaint_studio.core.output import export_file
from outpaint_studio.core.settings import journal_dir

CANVAS = ["--width", "512", "--height", "384", "--offset-x", "40", "--offset-y", "72"]


@pytest.fixture
def drifting(monkeypatch: pytest.MonkeyPatch) -> Iterator[BflSimulator]:
    with BflSimulator(api_key=API_KEY, drift=5) as simulator:
        monkeypatch.setenv("BFL_API_KEY", API_KEY)
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", simulator.base_url)
        yield simulator


def only_record() -> JobRecord:
    [record] = Journal(journal_dir()).records()
    return record


@pytest.mark.parametrize("feather", [0, 8, 16])
def test_the_source_comes_back_bit_for_bit_outside_the_feather_band(
    drifting: BflSimulator, tmp_path: Path, feather: int
) -> None:
    photo = tmp_path / "photo.png"
    original = np.asarray(photo_like(320, 240))
    Image.fromarray(original).save(photo)
    out = tmp_path / "out.png"
    assert main(["extend", str(photo), *CANVAS, "--feather", str(feather), "-o", str(out)]) == 0
    saved = image_array(out)
    region = saved[72 : 72 + 240, 40 : 40 + 320]
    inner = slice(feather, 240 - feather), slice(feather, 320 - feather)
    assert np.array_equal(region[inner], original[inner])
    if feather:  # the band is a blend: neither the drifted result nor the source everywhere
        band = region[0].astype(int) - original[0].astype(int)
        assert 0 < np.abs(band).max() <= 5
    change = only_record().source_change
    assert change is not None and 4 <= change["mean"] <= 5 and change["max"] == 5


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_metadata_round_trips_and_never_holds_the_key(
    drifting: BflSimulator, tmp_path: Path, fmt: str
) -> None:
    photo = tmp_path / "beach.png"
    photo_like(320, 240).save(photo)
    out = tmp_path / f"out.{fmt}"
    args = [*CANVAS, "--scale", "1", "--mode", "fast", "--prompt", 'sea & "sky" <dusk>']
    assert main(["extend", str(photo), *args, "--format", fmt, "--sidecar", "-o", str(out)]) == 0
    record = only_record()
    layout = read_layout(out)
    assert layout == JobParams(input="beach.png", width=512, height=384, offset_x=40,
                               offset_y=72, mode="fast", output_format=fmt,
                               prompt='sea & "sky" <dusk>')  # fmt: skip
    sidecar = sidecar_path(out)
    stored = json.loads(sidecar.read_text(encoding="utf-8"))
    assert stored == json.loads(json.dumps(export_metadata(record)))
    assert stored["job_id"] == record.job_id and stored["version"] == __version__
    assert stored["cost"] == round(stored["cost"], 4) > 0 and stored["engine"] == "bfl"
    sidecar.unlink()
    assert read_layout(out) == layout  # embedded, not only in the sidecar
    with Image.open(out) as image:
        embedded = image.info["outpaint-studio"] if fmt == "png" else image.info["xmp"]
        assert (image.info["Software"] if fmt == "png" else "Outpaint Studio") in str(embedded)
    exported = out.read_bytes() + json.dumps(stored).encode()
    assert API_KEY.encode() not in exported
    assert str(tmp_path).encode() not in exported  # no local folders either


def test_without_paste_back_the_service_bytes_stay_and_a_sidecar_describes_them(
    drifting: BflSimulator, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(encoded(photo_like(320, 240), "JPEG"))
    out = tmp_path / "raw.png"
    code = main(["extend", str(photo), *CANVAS, "--no-paste-back", "--sidecar", "-o", str(out)])
    assert code == 0
    record = only_record()
    assert out.read_bytes() == Path(record.history_path or "").read_bytes()
    assert sidecar_path(out).exists() and API_KEY not in sidecar_path(out).read_text()
    layout = read_layout(out)
    assert layout is not None and layout.paste_back is False and layout.input == "photo.jpg"


def test_no_sidecar_unless_asked(drifting: BflSimulator, tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo_like(320, 240).save(photo)
    assert main(["extend", str(photo), *CANVAS, "--out-dir", str(tmp_path / "out")]) == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["photo-extended.png"]


def test_a_record_made_with_a_key_in_the_environment_exports_no_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BFL_API_KEY", API_KEY)
    params = JobParams(input="/home/someone/photo.png", width=512, height=384, prompt="x")
    polling = f"https://api.bfl.ai/v1/get_result?id=j1&k={API_KEY}"
    record = JobRecord(params, api_base="https://api.bfl.ai", job_id="j1", polling_url=polling)
    text = json.dumps(export_metadata(record))
    assert API_KEY not in text and "polling" not in text and "/home/someone" not in text


def test_an_export_carries_the_layout_and_replaces_only_when_told(tmp_path: Path) -> None:
    result = tmp_path / "result.png"
    photo_like(64, 48).save(result)
    params = JobParams(input="/photos/beach.png", width=64, height=48, prompt="dunes")
    record = JobRecord(params, key="k1")
    out = tmp_path / "beach.jpg"
    assert export_file(str(result), record, out, "jpeg", overwrite=False) == out
    layout = read_layout(out)
    assert layout is not None and (layout.input, layout.prompt) == ("beach.png", "dunes")
    assert export_file(str(result), None, out, "png", overwrite=False) != out  # the next name
    assert export_file(str(result), None, out, "png", overwrite=True) == out
    assert read_layout(out) is None  # no record: no metadata
    assert sorted(p.name for p in tmp_path.iterdir() if ".part" in p.name) == []


def test_files_without_metadata_give_no_layout(tmp_path: Path) -> None:
    plain = tmp_path / "plain.png"
    photo_like(64, 48).save(plain)
    (tmp_path / "note.png").write_text("not an image")
    tampered = tmp_path / "tampered.png"
    photo_like(64, 48).save(tampered)
    sidecar_path(tampered).write_text(json.dumps({"source": "a.png", "width": "wide"}))
    for path in (plain, tmp_path / "note.png", tmp_path / "missing.png", tampered):
        assert read_layout(path) is None


def test_delete_job_files_removes_history_files_and_nothing_else(tmp_path: Path) -> None:
    history = tmp_path / "history"
    history.mkdir(parents=True)
    raw, kept = history / "k1.raw.png", history / "k1.png"
    outside = tmp_path / "exported.png"
    for path in (raw, kept, sidecar_path(kept), outside):
        path.write_bytes(b"x")
    record = JobRecord(params=JobParams(input="a.png", width=64, height=64), key="k1",
                       history_path=str(raw), output_path=str(kept))  # fmt: skip
    assert sorted(delete_job_files(record, history)) == sorted([raw, kept, sidecar_path(kept)])
    assert list(history.iterdir()) == []
    exported = replace(record, output_path=str(outside), history_path=str(outside))
    assert delete_job_files(exported, history) == [] and outside.exists()  # not ours to delete
    assert delete_job_files(record, history) == []  # already gone
