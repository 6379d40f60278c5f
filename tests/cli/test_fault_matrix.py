"""A paid job is never lost: every fault after the submit, injected until the simulator
recovers, leaves the job collectable; after recovery `resume` saves the right image.

Runs the real command line (``outpaint_studio.app.main``) against the real simulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bfl_sim import BflSimulator
from photos import API_KEY, image_array, photo_like

from outpaint_studio.app import main
from outpaint_studio.core.jobs import Journal
from outpaint_studio.core.settings import journal_dir

MANY = 1000  # "until the simulator recovers"
KEPT = "paid for and kept"
TRUSTED_OTHER_PATH = None  # poll_redirect's default: another path on the same host
FOREIGN = "http://localhost:{port}"  # the simulator under a host name that may not see the key

# fault, its parameters, how many times, extra options for the first run, the first run's state
# and words its message must hold
MATRIX: list[tuple[str, dict[str, Any], int, list[str], str, str | None]] = [
    ("delivery_status", {"status": 503}, MANY, [], "submitted", "HTTP 503, 3 tries"),
    ("delivery_status", {"status": 403}, MANY, [], "submitted", "probably expired"),
    ("delivery_truncated", {}, MANY, [], "submitted", "connection dropped"),
    ("delivery_status", {"status": 503}, 2, [], "saved", None),
    ("delivery_redirect", {"to": FOREIGN}, 1, [], "saved", None),
    ("poll_auth", {"status": 403}, MANY, [], "submitted", "refused 3 polls"),
    ("poll_auth", {"status": 401}, 2, [], "saved", None),
    ("poll_404", {}, 2, [], "saved", None),
    (
        "poll_status_word",
        {"word": "Generating"},
        MANY,
        ["--poll-timeout", "1"],
        "submitted",
        "still said 'Generating'",
    ),
    ("poll_status_word", {"word": "Reasoning"}, 3, [], "saved", None),
    ("poll_redirect", {"to": TRUSTED_OTHER_PATH}, MANY, [], "saved", None),
    ("poll_redirect", {"to": FOREIGN}, MANY, [], "submitted", "refused 3 polls"),
    (
        "poll_5xx_html",
        {"status": 503},
        MANY,
        ["--poll-timeout", "1.5"],
        "submitted",
        "failed: HTTP 503",
    ),
    ("poll_drop", {}, MANY, ["--poll-timeout", "1.5"], "submitted", "connection dropped"),
]


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def slow_sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[BflSimulator]:
    """Jobs that take a moment, so in-progress faults have polls to act on."""
    with BflSimulator(api_key=API_KEY, finish_after=1.2) as sim:
        monkeypatch.setenv("BFL_API_KEY", API_KEY)
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", sim.base_url)
        yield sim


@pytest.mark.parametrize(
    ("fault", "params", "times", "options", "first_state", "words"),
    MATRIX,
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_every_fault_after_the_submit_keeps_the_job_until_resume_saves_it(
    slow_sim: BflSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fault: str,
    params: dict[str, Any],
    times: int,
    options: list[str],
    first_state: str,
    words: str | None,
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(160, 128).save(photo)
    out = tmp_path / "out.png"
    slow_sim.inject(fault, times=times, **params)
    code = main(["extend", str(photo), "--width", "256", "--height", "192", "-o", str(out),
                 "--json", *options])  # fmt: skip
    first = capsys.readouterr()
    [line] = json_lines(first.out)
    assert "Traceback" not in first.err and API_KEY not in first.out + first.err
    assert line["state"] == first_state, line["error"]
    [record] = Journal(journal_dir()).records()
    assert record.state == first_state  # the journal says what the run said
    if first_state == "submitted":
        assert code == 1 and not out.exists()
        assert KEPT in line["error"] and "\n" not in line["error"]
        assert words and words in line["error"]
        [message] = [text for text in first.err.splitlines() if KEPT in text]
        assert message.startswith("photo.png: submitted: ")
        slow_sim.recover()
        assert main(["resume", "--json"]) == 0
        [line] = json_lines(capsys.readouterr().out)
        assert line["state"] == "saved" and line["error"] is None
    assert code == 0 or first_state == "submitted"
    assert Path(line["output"]) == out and image_array(out).shape == (192, 256, 3)
    inner = image_array(out)[32 + 8 : 160 - 8, 48 + 8 : 208 - 8]  # the source, pasted back
    assert np.array_equal(inner, np.asarray(photo_like(160, 128))[8:-8, 8:-8])
    assert slow_sim.submit_count == 1 and slow_sim.submit_attempts == 1
    assert slow_sim.key_leaks() == []
    assert main(["resume", "--json"]) == 0 and capsys.readouterr().out == ""


def test_a_result_of_another_size_is_kept_and_fitted_with_a_notice(
    slow_sim: BflSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(160, 128).save(photo)
    out = tmp_path / "out.png"
    slow_sim.inject("result_size", width=128, height=96)
    code = main(["extend", str(photo), "--width", "256", "--height", "192", "-o", str(out),
                 "--json"])  # fmt: skip
    captured = capsys.readouterr()
    [line] = json_lines(captured.out)
    assert code == 0 and line["state"] == "saved" and "resized to fit" in line["notice"]
    assert "photo.png: The result came back at 128x96 px" in captured.err
    assert image_array(out).shape == (192, 256, 3)
    [record] = Journal(journal_dir()).records()
    assert record.notice and "128x96" in record.notice and "resized to fit" in record.notice
    assert record.history_path and image_array(Path(record.history_path)).shape == (96, 128, 3)


def test_a_persistent_404_on_the_polling_url_is_task_not_found(
    slow_sim: BflSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(160, 128).save(photo)
    slow_sim.inject("poll_404", times=MANY)
    code = main(["extend", str(photo), "--width", "256", "--height", "192", "--json"])
    [line] = json_lines(capsys.readouterr().out)
    assert code == 1 and line["state"] == "failed" and "does not know job" in line["error"]
    polls = [r for r in slow_sim.requests if r.path == "/v1/get_result"]
    assert len(polls) == 3  # retried before believing it


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"details": {"reason": "GPU fell over"}}, "GPU fell over"),
        ({"error": "cluster eu4 drained"}, "cluster eu4 drained"),
        ({"message": "try again\nlater"}, "try again later"),
    ],
)
def test_the_services_own_words_are_shown(
    slow_sim: BflSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: dict[str, Any],
    words: str,
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(160, 128).save(photo)
    slow_sim.inject("status", status="Error", extra=extra)
    code = main(["extend", str(photo), "--width", "256", "--height", "192", "--json"])
    captured = capsys.readouterr()
    [line] = json_lines(captured.out)
    assert code == 1 and line["state"] == "failed"
    assert words in line["error"] and f"failed: {line['error']}" in captured.err


def test_a_result_that_cannot_be_saved_is_kept_and_saved_by_resume(
    slow_sim: BflSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(160, 128).save(photo)
    blocker = tmp_path / "results"
    blocker.write_text("a file where the output folder should be")
    out = blocker / "out.png"
    code = main(["extend", str(photo), "--width", "256", "--height", "192", "-o", str(out),
                 "--json"])  # fmt: skip
    [line] = json_lines(capsys.readouterr().out)
    assert code == 1 and line["state"] == "ready" and "kept in history" in line["error"]
    blocker.unlink()
    assert main(["resume", "--json"]) == 0
    [line] = json_lines(capsys.readouterr().out)
    assert line["state"] == "saved" and image_array(out).shape == (192, 256, 3)
    assert slow_sim.submit_count == 1
    downloads = [r for r in slow_sim.requests if r.path.startswith("/delivery/")]
    assert len(downloads) == 1  # resume used the result kept in history
