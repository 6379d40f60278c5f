"""``extend --targets``: one photo to many formats from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from bfl_sim import BflSimulator
from photos import image_array, image_size, photo_like

from outpaint_studio.app import main
from outpaint_studio.core.formats import layout_for, parse_target
from outpaint_studio.core.metadata import read_metadata

FIVE = "1:1,4:5,9:16,16:9,1080x1920"


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_local_targets_write_one_file_per_format_with_the_original_at_the_anchor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "shoe.png"
    photo_like(160, 120).save(source)
    out = tmp_path / "out"
    code = main(["extend", str(source), "--engine", "local", "--targets", "1:1,4:5,1080x1920",
                 "--anchor", "top", "--out-dir", str(out), "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = json_lines(captured.out)
    assert [line["target"] for line in lines] == ["1:1", "4:5", "1080x1920"]
    assert [Path(line["output"]).name for line in lines] == [
        "shoe-1x1.png", "shoe-4x5.png", "shoe-1080x1920.png"
    ]  # fmt: skip
    original = np.asarray(photo_like(160, 120))
    for line, text in zip(lines[:2], ("1:1", "4:5"), strict=True):
        layout = layout_for((160, 120), parse_target(text), "top")
        p = layout.placement
        assert image_size(line["output"]) == (p.canvas_width, p.canvas_height)
        result = image_array(Path(line["output"]))
        assert p.y == 0  # the anchor: against the top, centred across
        inner = result[8 : 120 - 8, p.x + 8 : p.x + 160 - 8]
        assert np.array_equal(inner, original[8:-8, 8:-8])
    assert image_size(lines[2]["output"]) == (1080, 1920)
    for line in lines:  # the size of the file written, not of the canvas generated
        assert (line["width"], line["height"]) == image_size(line["output"])
    meta = read_metadata(Path(lines[2]["output"]))
    assert meta is not None and meta["target"] == "1080x1920"
    assert (meta["output_width"], meta["output_height"]) == (1080, 1920)


@pytest.fixture
def slow_sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[BflSimulator]:
    """Jobs that outlast a burst of submits on a loaded machine, so 'all at once' is measurable."""
    with BflSimulator(api_key="k-formats", finish_after=2.0, max_active=100) as sim:
        monkeypatch.setenv("BFL_API_KEY", "k-formats")
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", sim.base_url)
        yield sim


def test_two_inputs_five_targets_run_all_at_once_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], slow_sim: BflSimulator
) -> None:
    inputs = []
    for name, seed in (("a.png", 1), ("b.png", 2)):
        photo_like(400, 300, seed).save(tmp_path / name)
        inputs.append(str(tmp_path / name))
    code = main(["extend", *inputs, "--targets", FIVE, "--out-dir", str(tmp_path / "out"),
                 "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = json_lines(captured.out)
    assert len(lines) == 10 and {line["state"] for line in lines} == {"saved"}
    assert [line["target"] for line in lines] == FIVE.split(",") * 2
    assert slow_sim.submit_count == 10 and slow_sim.peak_active == 10  # all ten at once
    assert slow_sim.key_leaks() == []
    names = sorted(Path(line["output"]).name for line in lines)
    assert names == sorted(f"{stem}-{t.replace(':', 'x')}.png" for stem in "ab"
                           for t in FIVE.split(","))  # fmt: skip
    assert image_size(tmp_path / "out" / "b-1080x1920.png") == (1080, 1920)


def test_thirty_jobs_never_exceed_the_accounts_24_active(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], slow_sim: BflSimulator
) -> None:
    inputs = []
    for seed in range(5):
        photo_like(96, 64, seed).save(tmp_path / f"p{seed}.png")
        inputs.append(str(tmp_path / f"p{seed}.png"))
    # the simulator would take more: only the client's limit holds the line
    code = main(["extend", *inputs, "--targets", "1:1,4:5,9:16,16:9,3:1,2:3", "--jobs", "5",
                 "--out-dir", str(tmp_path / "out"), "--json"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert slow_sim.submit_count == 30 and slow_sim.peak_active == 24
    assert len(json_lines(capsys.readouterr().out)) == 30


def test_a_bad_input_fails_each_of_its_targets_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.png", tmp_path / "bad.png"
    photo_like(96, 64).save(good)
    bad.write_bytes(b"not an image")
    code = main(["extend", str(bad), str(good), "--engine", "local", "--targets", "1:1,3:1",
                 "--out-dir", str(tmp_path / "out"), "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    lines = json_lines(captured.out)
    assert [(Path(x["input"]).name, x["target"], x["state"]) for x in lines] == [
        ("bad.png", "1:1", "failed"), ("bad.png", "3:1", "failed"),
        ("good.png", "1:1", "saved"), ("good.png", "3:1", "saved"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--targets", "4/5"], "is not a target"),
        (["--targets", "1:1", "--width", "512"], "leave out --width"),
        (["--targets", "1:1", "--scale", "0.5"], "leave out --scale"),
        (["--targets", "1:1", "-o", "x.png"], "use --out-dir with --targets"),
        (["--targets", "1:1", "--long-side", "10"], "--long-side must be"),
        (["--anchor", "top"], "go with --targets"),
        (["--long-side", "0"], "go with --targets"),
        (["--width", "512"], "--width and --height are required"),
        (["--width", "512", "--height", "512", "--anchor", "top"], "go with --targets"),
        (["--targets", "1:1", "--anchor", "middle"], "is not an anchor"),
    ],
)
def test_bad_target_options_are_usage_errors(
    photo: Path, extra: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["extend", str(photo), "--engine", "local", *extra])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert words in err and err.startswith("usage: outpaint-studio extend")


def test_a_long_side_sizes_every_ratio(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "p.png"
    photo_like(96, 64).save(source)
    code = main(["extend", str(source), "--engine", "local", "--targets", "4:5,16:9",
                 "--long-side", "640", "--out-dir", str(tmp_path), "--json"])  # fmt: skip
    assert code == 0
    sizes = [image_size(line["output"]) for line in json_lines(capsys.readouterr().out)]
    assert sizes == [(512, 640), (640, 360)]


def test_offline_targets_of_several_inputs_fill_two_at_a_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from outpaint_studio.engines.local import LocalEngine

    active, most = [0], [0]
    lock = threading.Lock()
    fill = LocalEngine.collect

    def counted(self: LocalEngine, *args: object, **kwargs: object) -> object:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            return fill(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(LocalEngine, "collect", counted)
    inputs = []
    for name, seed in (("a.png", 1), ("b.png", 2)):
        photo_like(160, 120, seed).save(tmp_path / name)
        inputs.append(str(tmp_path / name))
    code = main(["extend", *inputs, "--engine", "local", "--mode", "fast", "--targets", FIVE,
                 "--long-side", "320",
                 "--out-dir", str(tmp_path / "out"), "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert len(json_lines(captured.out)) == 10
    assert most[0] == 2  # ten jobs, two fills at a time: the CPU is shared, memory stays flat


def test_a_truncated_photo_says_which_target_failed_on_each_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole, cut = tmp_path / "whole.jpg", tmp_path / "cut.jpg"
    photo_like(320, 240).save(whole, quality=95)
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])  # the header still reads
    code = main(["extend", str(cut), "--engine", "local", "--mode", "fast",
                 "--targets", "1:1,4:5", "--out-dir", str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    failures = [line for line in err.splitlines() if "truncated" in line]
    assert sorted(failures) == [
        "cut.jpg 1:1: failed: cut.jpg is damaged or truncated",
        "cut.jpg 4:5: failed: cut.jpg is damaged or truncated",
    ]
