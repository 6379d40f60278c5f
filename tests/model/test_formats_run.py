"""Extend all with no widgets, against the simulator: each target's result is shown as soon as it
is composed, by when the service's own bytes are kept, and its file is written after that."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from photos import make_photo

from outpaint_studio.core import runner
from outpaint_studio.core.images import load_image
from outpaint_studio.core.jobs import JobParams, JobState
from outpaint_studio.model.errors import ErrorModel
from outpaint_studio.model.formats_run import FormatsRun, TargetJob
from outpaint_studio.model.workers import Workers
from outpaint_studio.session import Session

TARGETS = {"1:1": (160, 160), "16:9": (224, 128)}  # of a 160x128 photo


def test_a_target_is_done_once_composed_and_its_file_is_written_after(
    keyed_env: object, qtbot: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = make_photo(tmp_path / "photo.png")  # 160 x 128
    session = Session.open()
    run = FormatsRun(session, Workers(), ErrorModel())
    encoding = threading.Event()  # held until every target is shown
    encode, encoders = runner.output_bytes, []

    def held_encode(*args: object) -> bytes:
        encoders.append(threading.current_thread().name)
        encoding.wait(30)
        return encode(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "output_bytes", held_encode)
    said: list[tuple[str, str]] = []
    shown: dict[str, tuple[JobState, bool, str | None]] = {}  # label -> what was on disk then
    finished: list[str] = []
    run.status.connect(lambda label, text: said.append((label, text)))
    run.finished.connect(lambda label, outcome, image: finished.append(label))

    def on_composed(label: str, index: int, image: object) -> None:
        [record] = [r for r in session.journal.records() if r.params.target == label]
        kept = bool(record.history_path) and Path(record.history_path or "").is_file()
        shown[label] = (record.state, kept, record.output_path)
        assert index == 0 and not image.isNull()  # type: ignore[attr-defined]

    run.composed.connect(on_composed)
    jobs = [TargetJob(label, JobParams(input=str(photo), width=w, height=h, engine="bfl",
                                       target=label), 1)
            for label, (w, h) in TARGETS.items()]  # fmt: skip
    assert run.start(jobs, load_image(photo), keyed_env.base_url)  # type: ignore[attr-defined]

    try:
        qtbot.waitUntil(lambda: len(shown) == 2, timeout=20000)  # type: ignore[attr-defined]
        assert run.is_running() and not finished  # the files are not written yet
        assert shown == {label: (JobState.READY, True, None) for label in TARGETS}  # paid: kept
        assert {(label, "Done") for label in TARGETS} <= set(said)
    finally:
        encoding.set()
    qtbot.waitUntil(lambda: not run.is_running(), timeout=20000)  # type: ignore[attr-defined]
    assert sorted(finished) == sorted(TARGETS)
    assert [name.startswith("encode") for name in encoders] == [True, True]  # yielding the CPU
    records = session.journal.records()
    assert {r.state for r in records} == {JobState.SAVED}
    assert all(Path(r.output_path or "").is_file() for r in records)
