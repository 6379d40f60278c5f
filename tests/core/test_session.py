"""session.Session.collect: the one collection path, for the cases only the session decides."""

from __future__ import annotations

import threading
from pathlib import Path

from photos import photo_like

from outpaint_studio.core.jobs import JobParams, JobRecord, JobState
from outpaint_studio.session import Session


def test_an_offline_job_whose_kept_result_is_gone_is_run_again(tmp_path: Path) -> None:
    source = tmp_path / "photo.png"
    photo_like(96, 64).save(source)
    session = Session.open()
    params = JobParams(str(source), 128, 96, engine="local", seed=3, out_dir=str(tmp_path))
    record = JobRecord(params)
    session.journal.save(record)
    for state in (JobState.SUBMITTING, JobState.SUBMITTED):
        session.journal.move(record, state)
    record.history_path = str(tmp_path / "gone.png")  # saving failed, and so did keeping it
    session.journal.move(record, JobState.READY)
    session.journal.release(record)  # the process that ran it has ended
    collected = session.collect(record, lambda update: None, threading.Event())
    assert collected.state is JobState.SAVED and Path(collected.output_path or "").is_file()
