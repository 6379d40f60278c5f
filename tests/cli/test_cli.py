"""The command line as a user runs it, against the simulator."""

from __future__ import annotations

import json
import os
import shlex
import signal
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from bfl_sim import BflSimulator
from photos import API_KEY, encoded, image_array, image_size, photo_like
from waits import killed_at_exit, wait_for

from outpaint_studio import cli
from outpaint_studio.app import main
from outpaint_studio.core.jobs import Journal
from outpaint_studio.core.settings import journal_dir
from outpaint_studio.core.stages import stage_text
from outpaint_studio.core.transitions import JobState
from outpaint_studio.engines.bfl import SUBMITS_AT_ONCE
from outpaint_studio.model.history import offline_command


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_extend_writes_the_result_with_the_original_untouched(
    keyed_env: BflSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "photo.png"
    photo_like(320, 240).save(source)
    out = tmp_path / "out.png"
    code = main(["extend", str(source), "--width", "512", "--height", "384",
                 "--offset-x", "32", "-o", str(out), "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    [line] = json_lines(captured.out)
    assert line["state"] == "saved" and line["output"] == str(out)
    assert line["job_id"] and line["cost"] == round(line["cost"], 4) and line["error"] is None
    result = image_array(out)
    assert result.shape == (384, 512, 3)
    inner = result[72 + 8 : 312 - 8, 32 + 8 : 352 - 8]
    assert np.array_equal(inner, np.asarray(photo_like(320, 240))[8:-8, 8:-8])
    body = keyed_env.jobs[line["job_id"]]["request"]
    assert body["reference_offset_x"] == 32 and "reference_offset_y" not in body
    assert API_KEY not in captured.out + captured.err


def test_default_output_sits_beside_the_input_and_never_overwrites(
    keyed_env: BflSimulator, tmp_path: Path
) -> None:
    source = tmp_path / "beach.jpg"
    source.write_bytes(encoded(photo_like(200, 150), "JPEG"))
    (tmp_path / "beach-extended.png").write_bytes(b"keep me")
    assert main(["extend", str(source), "--width", "256", "--height", "256"]) == 0
    assert (tmp_path / "beach-extended.png").read_bytes() == b"keep me"
    assert image_size(tmp_path / "beach-extended-1.png") == (256, 256)


def test_bad_inputs_fail_clearly_and_write_nothing(
    keyed_env: BflSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.png").write_bytes(b"")
    (bad / "noise.jpg").write_bytes(os.urandom(3000))
    (bad / "cut.jpg").write_bytes(encoded(photo_like(300, 200), "JPEG")[:2000])
    before = sorted(p.name for p in bad.iterdir())
    code = main(["extend", *map(str, sorted(bad.iterdir())), "--width", "512",
                 "--height", "512", "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert [line["state"] for line in json_lines(captured.out)] == ["failed"] * 3
    assert "Traceback" not in captured.err
    assert "empty" in captured.err and "truncated" in captured.err
    assert sorted(p.name for p in bad.iterdir()) == before
    # a file cut short is found out when its job decodes it: that job is journaled as failed
    records = Journal(journal_dir()).records() if journal_dir().exists() else []
    assert all(r.state is JobState.FAILED and r.error_kind == "input" for r in records)
    assert keyed_env.submit_attempts == 0


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["extend", "a.png", "b.png", "--width", "512", "--height", "512", "-o", "x.png"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["extend", "a.png", "--width", "512", "--height", "512", "--safety-tolerance", "9"])
    assert caught.value.code == 2
    code = main(["extend", "a.png", "--width", "512", "--height", "512", "--engine", "bfl"])
    assert code == 2 and "no BFL API key" in capsys.readouterr().err


def test_unsafe_api_url_is_refused(
    monkeypatch: pytest.MonkeyPatch, photo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BFL_API_KEY", API_KEY)
    code = main(["extend", str(photo), "--width", "512", "--height", "512",
                 "--api-url", "http://api.example.com"])  # fmt: skip
    assert code == 2 and "unencrypted" in capsys.readouterr().err


def test_a_job_that_fails_reports_why(
    keyed_env: BflSimulator, photo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyed_env.inject("status", status="Content Moderated")
    code = main(["extend", str(photo), "--width", "512", "--height", "384"])
    assert code == 1
    assert "not charged" in capsys.readouterr().err
    [record] = Journal(journal_dir()).records()
    assert record.state == "failed" and record.error_kind == "moderated"


def test_uncertain_submit_is_journaled_and_not_resent(
    keyed_env: BflSimulator, photo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyed_env.inject("submit_drop_after")
    assert main(["extend", str(photo), "--width", "512", "--height", "384", "--json"]) == 1
    [line] = json_lines(capsys.readouterr().out)
    assert line["state"] == "uncertain" and "charged" in line["error"]
    assert keyed_env.submit_attempts == 1


def test_resume_says_when_another_process_is_collecting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A user trial ran `resume` while the editor was collecting a job: "nothing to resume"."""
    from outpaint_studio.core.jobs import JobParams, JobRecord

    journal = Journal(journal_dir())
    record = JobRecord(JobParams(input="photo.png", width=208, height=160))
    record.owner_pid = os.getppid()  # alive: as the editor collecting it would be
    journal.save(record)
    journal.move(record, JobState.SUBMITTING)
    record.job_id, record.polling_url = "job-1", "https://api.bfl.ai/v1/get_result?id=1"
    journal.move(record, JobState.SUBMITTED)
    assert main(["resume"]) == 0
    said = capsys.readouterr().err
    assert "nothing to resume: 1 being collected by another running Outpaint Studio" in said
    assert journal.load(record.key).state is JobState.SUBMITTED  # left to its collector


def test_jobs_lists_the_journal(
    keyed_env: BflSimulator, photo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extend", str(photo), "--width", "512", "--height", "384"]) == 0
    capsys.readouterr()
    assert main(["jobs", "--json"]) == 0
    [line] = json_lines(capsys.readouterr().out)
    assert line["state"] == "saved" and line["parameters"]["width"] == 512
    assert main(["jobs"]) == 0
    assert "saved" in capsys.readouterr().out


def test_offline_engine_needs_no_key_at_all(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "offline.png"
    code = main(["extend", str(photo), "--width", "448", "--height", "320", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert image_size(out) == (448, 320)
    progress = capsys.readouterr().err
    assert "offline engine" in progress and "Generating ·" in progress  # no "0 %" in a log
    assert "Submitting" not in progress and "Queued" not in progress  # no service involved
    [record] = Journal(journal_dir()).records()
    assert record.engine == "local" and record.cost == 0 and record.params.seed == 0


def test_the_same_seed_gives_the_same_result_and_another_seed_another(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {}
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        outputs[name] = tmp_path / f"{name}.png"
        argv = ["extend", str(photo), "--width", "448", "--height", "320", "--engine", "local",
                "--seed", seed, "-o", str(outputs[name])]  # fmt: skip
        assert main(argv) == 0, capsys.readouterr().err
    a, b, c = (image_array(outputs[name]) for name in "abc")
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert sorted(r.params.seed for r in Journal(journal_dir()).records()) == [5, 5, 6]
    with pytest.raises(SystemExit) as usage:
        main(["extend", str(photo), "--width", "448", "--height", "320", "--seed", "-1"])
    assert usage.value.code == 2 and "--seed must be" in capsys.readouterr().err


def test_the_history_s_offline_command_makes_the_same_result_again(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, again = tmp_path / "first.png", tmp_path / "again.png"
    assert main(["extend", str(photo), "--width", "448", "--height", "304", "--offset-x", "0",
                 "--scale", "0.9", "--mode", "fast", "--feather", "4", "--engine", "local",
                 "-o", str(first)]) == 0, capsys.readouterr().err  # fmt: skip
    [record] = Journal(journal_dir()).records()  # its seed drawn at random
    command = shlex.split(offline_command(record.params))
    assert command[:2] == ["outpaint-studio", "extend"]
    assert main([*command[1:], "-o", str(again)]) == 0, capsys.readouterr().err
    assert np.array_equal(image_array(first), image_array(again))


def test_sigkill_after_submit_then_resume_collects_exactly_once(
    tmp_path: Path, app_home: Path
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(320, 240).save(photo)
    with BflSimulator(api_key=API_KEY, finish_after=3.0) as sim:
        env = {**os.environ, "BFL_API_KEY": API_KEY, "OUTPAINT_STUDIO_API_URL": sim.base_url,
               "OUTPAINT_STUDIO_HOME": str(app_home)}  # fmt: skip
        command = [sys.executable, "-m", "outpaint_studio"]
        out = tmp_path / "out.png"
        child = subprocess.Popen(
            [*command, "extend", str(photo), "--width", "512", "--height", "384", "-o", str(out)],
            env=env, stderr=subprocess.DEVNULL,
        )  # fmt: skip

        def submitted() -> bool:
            records = Journal(app_home / "jobs").records()
            return bool(records) and records[0].state == "submitted"

        with killed_at_exit(child):
            wait_for("the job journaled as submitted", submitted)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert not out.exists() and sim.submit_count == 1
        resumed = subprocess.run([*command, "resume", "--json"], env=env, capture_output=True,
                                 text=True, timeout=60)  # fmt: skip
        assert resumed.returncode == 0, resumed.stderr
        [line] = json_lines(resumed.stdout)
        assert line["state"] == "saved" and Path(line["output"]) == out
        assert image_size(out) == (512, 384)
        assert sim.submit_count == 1 and sim.submit_attempts == 1
        again = subprocess.run([*command, "resume", "--json"], env=env, capture_output=True,
                               text=True, timeout=60)  # fmt: skip
        assert again.returncode == 0 and again.stdout == ""


def test_a_busy_account_slows_the_batch_instead_of_failing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = []
    for index in range(4):
        path = tmp_path / f"in{index}.png"
        photo_like(160, 120, seed=index).save(path)
        inputs.append(str(path))
    with BflSimulator(api_key=API_KEY, finish_after=0.4, max_active=2, retry_after="1") as busy:
        monkeypatch.setenv("BFL_API_KEY", API_KEY)
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", busy.base_url)
        code = main(["extend", *inputs, "--width", "256", "--height", "192", "--jobs", "4",
                     "--out-dir", str(tmp_path / "out"), "--json"])  # fmt: skip
        lines = json_lines(capsys.readouterr().out)
        assert code == 0
        assert [line["state"] for line in lines] == ["saved"] * 4
        assert busy.submit_count == 4 and busy.submit_attempts > 4  # some were told to wait
        assert busy.peak_active <= 2


def test_a_timed_out_job_is_collected_by_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(160, 120).save(photo)
    with BflSimulator(api_key=API_KEY, finish_after=1.5) as slow:
        monkeypatch.setenv("BFL_API_KEY", API_KEY)
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", slow.base_url)
        code = main(["extend", str(photo), "--width", "256", "--height", "192",
                     "--poll-timeout", "0.5", "--json"])  # fmt: skip
        [line] = json_lines(capsys.readouterr().out)
        assert code == 1 and line["state"] == "submitted" and "resume" in line["error"]
        [record] = Journal(journal_dir()).records()
        record.owner_pid = 2**22 + 12345  # as if the process that ran it had exited
        Journal(journal_dir()).save(record)
        assert main(["resume", "--json"]) == 0
        [line] = json_lines(capsys.readouterr().out)
        assert line["state"] == "saved" and image_size(line["output"]) == (256, 192)
        assert slow.submit_count == 1


def test_full_res_keeps_every_original_pixel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = tmp_path / "big.png"
    original = photo_like(800, 600)
    original.save(photo)
    with BflSimulator(api_key=API_KEY, drift=7) as drifting:
        monkeypatch.setenv("BFL_API_KEY", API_KEY)
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", drifting.base_url)
        out = tmp_path / "full.png"
        args = ["--scale", "0.25", "--width", "320", "--height", "240", "--full-res"]
        offsets = ["--offset-x", "60", "--offset-y", "45"]
        code = main(["extend", str(photo), *args, *offsets, "-o", str(out)])
        assert code == 0
        [job] = drifting.jobs.values()
        assert job["request"]["width"] == 320
    result = image_array(out)
    assert result.shape == (960, 1280, 3)
    assert np.array_equal(result[180 + 32 : 780 - 32, 240 + 32 : 1040 - 32],
                          np.asarray(original)[32:-32, 32:-32])  # fmt: skip
    [record] = Journal(journal_dir()).records()
    change = record.source_change
    assert change is not None and 6 <= change["mean"] <= 8 and change["max"] >= 7  # JPEG upload


def test_no_paste_back_saves_the_service_bytes_unchanged(
    keyed_env: BflSimulator, photo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "raw.png"
    assert main(["extend", str(photo), "--width", "512", "--height", "384", "--no-paste-back",
                 "-o", str(out)]) == 0  # fmt: skip
    [record] = Journal(journal_dir()).records()
    assert out.read_bytes() == Path(record.history_path).read_bytes()


def test_a_big_batch_on_a_busy_server_has_no_false_uncertain_submit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = []
    for index in range(48):
        path = tmp_path / f"in{index:02}.png"
        photo_like(64, 48, seed=index).save(path)
        inputs.append(str(path))
    # a small accept backlog, and kept-alive connections closed after a short idle: a submit
    # sent on a pooled connection the server has just closed would end "uncertain", and so
    # would one the kernel resets when a burst of connects overflows the accept queue
    options = {"finish_after": 0.5, "accept_backlog": 8, "idle_timeout": 0.5}
    with BflSimulator(api_key=API_KEY, **options) as busy:
        monkeypatch.setenv("BFL_API_KEY", API_KEY)
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", busy.base_url)
        code = main(["extend", *inputs, "--width", "128", "--height", "96", "--jobs", "48",
                     "--out-dir", str(tmp_path / "out"), "--json"])  # fmt: skip
        lines = json_lines(capsys.readouterr().out)
        assert [line["state"] for line in lines] == ["saved"] * 48
        assert code == 0 and busy.submit_count == 48 and busy.submit_attempts == 48
        assert busy.peak_submits_in_flight <= SUBMITS_AT_ONCE


def test_one_input_that_breaks_in_any_way_fails_alone(
    keyed_env: BflSimulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inputs = []
    for name in ("a.png", "b.png", "c.png"):
        photo_like(160, 120).save(tmp_path / name)
        inputs.append(str(tmp_path / name))
    broken = tmp_path / "broken.png"
    broken.write_bytes(encoded(photo_like(160, 120))[:300])  # cut short
    bug = tmp_path / "bug.png"
    photo_like(160, 120).save(bug)
    real_open = cli.open_source

    def open_with_a_bug(path: str) -> object:
        if Path(path).name == "bug.png":  # a decoder bug no one foresaw, for this file only
            raise struct.error("unpack requires a buffer of 4 bytes")
        return real_open(path)

    monkeypatch.setattr(cli, "open_source", open_with_a_bug)
    code = main(["extend", inputs[0], str(broken), inputs[1], str(bug), inputs[2],
                 "--width", "256", "--height", "192", "--out-dir", str(tmp_path / "out"),
                 "--json"])  # fmt: skip
    captured = capsys.readouterr()
    lines = json_lines(captured.out)
    assert code == 1 and "Traceback" not in captured.err
    assert [line["state"] for line in lines] == ["saved", "failed", "saved", "failed", "saved"]
    assert all(Path(line["output"]).is_file() for line in lines if line["state"] == "saved")
    [bug_line] = [text for text in captured.err.splitlines() if text.startswith("bug.png")]
    assert "unexpected error" in bug_line and "unpack requires" in bug_line
    assert any(text.startswith("broken.png: ") for text in captured.err.splitlines())
    assert keyed_env.submit_count == 3


def test_progress_shows_the_services_own_word_and_never_passes_100() -> None:
    assert stage_text("generating", 1.7) == "Generating 100 %"
    assert stage_text("Reasoning", 0.4) == "Reasoning 40 %"
    assert stage_text("Reasoning", None) == "Reasoning"
    assert stage_text("queued", None) == "Queued"
