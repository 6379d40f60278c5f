"""The journal: state changes go through ``Journal.move``; the one-time migration of jobs older
versions failed on a fault of ours."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from bfl_sim import BflSimulator
from photos import API_KEY, image_size, photo_like

from outpaint_studio.app import main
from outpaint_studio.core.images import load_image
from outpaint_studio.core.jobs import JobParams, JobRecord, Journal
from outpaint_studio.core.placing import build_request, place
from outpaint_studio.core.settings import journal_dir
from outpaint_studio.core.transitions import ForbiddenTransition, JobState
from outpaint_studio.engines.bfl import BflClient


def version_1_entry(folder: Path, key: str, **fields: Any) -> None:
    """A journal file as version 1 wrote it: no schema field."""
    params = {"input": "/nowhere/photo.png", "width": 256, "height": 192}
    data = {"params": params, "key": key, "state": "failed", "created_at": 1.0,
            "engine": "bfl", "owner_pid": 1} | fields  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key}.json").write_text(json.dumps(data), encoding="utf-8")


def test_find_gives_the_record_or_none(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    record = JobRecord(JobParams(input="a.png", width=64, height=48), key="k1")
    journal.save(record)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "partial.json").write_text('{"key": "partial"}', encoding="utf-8")
    found = journal.find("k1")
    assert found is not None and found.params == record.params
    assert [journal.find(key) for key in ("missing", "broken", "partial")] == [None, None, None]


ACCEPTED = {"job_id": "j", "polling_url": "https://api.eu2.bfl.ai/v1/get_result?id=j"}


@pytest.mark.parametrize(
    ("fields", "migrated"),
    [
        ({**ACCEPTED, "error": "The BFL API key was refused", "error_kind": "auth"}, "submitted"),
        (
            {**ACCEPTED, "error": "Downloading the result failed", "error_kind": "download"},
            "submitted",
        ),
        (
            {
                **ACCEPTED,
                "error": "The job ended with an unexpected status 'Generating'.",
                "error_kind": "generation_failed",
            },
            "submitted",
        ),
        (
            {
                **ACCEPTED,
                "error": "The service failed to generate the image.",
                "error_kind": "generation_failed",
            },
            "failed",
        ),
        ({**ACCEPTED, "error": "refused by moderation", "error_kind": "moderated"}, "failed"),
        (
            {**ACCEPTED, "error": "BFL does not know job j", "error_kind": "task_not_found"},
            "failed",
        ),
        (
            {"error": "The service rejected the request", "error_kind": "invalid_request"},
            "failed",
        ),
        ({**ACCEPTED, "engine": "local", "error_kind": "download"}, "failed"),
        ({**ACCEPTED, "state": "saved"}, "saved"),
    ],
)
def test_version_1_failures_of_ours_become_collectable_once(
    tmp_path: Path, fields: dict[str, Any], migrated: str
) -> None:
    if fields.get("engine") == "local":
        fields = {**fields, "params": {"input": "x.png", "width": 256, "height": 192,
                                       "engine": "local"}}  # fmt: skip
    version_1_entry(tmp_path, "old", **fields)
    journal = Journal(tmp_path)
    [record] = journal.records()
    assert record.state == migrated
    on_disk = json.loads((tmp_path / "old.json").read_text(encoding="utf-8"))
    assert on_disk["state"] == migrated
    if migrated == "submitted":
        assert on_disk["schema"] == 2 and "earlier version" in record.error
        assert [r.key for r in journal.collectable()] == ["old"]
    else:
        assert journal.collectable() == []


def test_the_migration_runs_once(tmp_path: Path) -> None:
    version_1_entry(tmp_path, "old", **ACCEPTED, error="refused", error_kind="auth")
    [record] = Journal(tmp_path).records()
    assert record.state is JobState.SUBMITTED
    # a marked record is never looked at again, even in a state the migration would change
    data = json.loads((tmp_path / "old.json").read_text(encoding="utf-8"))
    (tmp_path / "old.json").write_text(json.dumps(data | {"state": "failed"}), encoding="utf-8")
    [record] = Journal(tmp_path).records()
    assert record.state is JobState.FAILED


def test_a_kept_wrong_size_result_migrates_to_ready(tmp_path: Path) -> None:
    kept = tmp_path / "old.raw.png"
    photo_like(128, 96).save(kept)
    version_1_entry(tmp_path / "jobs", "old", **ACCEPTED, error_kind="wrong_size",
                    history_path=str(kept))  # fmt: skip
    [record] = Journal(tmp_path / "jobs").records()
    assert record.state is JobState.READY


def test_move_checks_the_table_and_writes_before_returning(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    record = JobRecord(JobParams(input="a.png", width=64, height=64))
    journal.save(record)
    journal.move(record, JobState.SUBMITTING)
    assert journal.load(record.key).state is JobState.SUBMITTING
    record.job_id = "accepted"
    journal.move(record, JobState.SUBMITTED)
    with pytest.raises(ForbiddenTransition):
        journal.move(record, JobState.FAILED, "lost contact", "network")
    assert record.state is JobState.SUBMITTED and record.error is None
    assert journal.load(record.key).state is JobState.SUBMITTED
    journal.move(record, JobState.FAILED, "moderated", "moderated")
    assert journal.load(record.key).error_kind == "moderated"


def test_resume_collects_a_job_version_1_gave_up_on(
    keyed_env: BflSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "photo.png"
    photo_like(160, 128).save(photo)
    params = JobParams(input=str(photo), width=256, height=192, out_dir=str(tmp_path))
    source = load_image(photo)
    placed = place(params, source)
    client = BflClient(API_KEY, keyed_env.base_url)
    submission = client.submit(build_request(params, source, placed), placed.upload_image,
                               threading.Event())  # fmt: skip
    version_1_entry(journal_dir(), "old", params=json.loads(json.dumps(params.__dict__)),
                    job_id=submission.job_id, polling_url=submission.polling_url,
                    api_base=keyed_env.base_url, error_kind="auth",
                    error="The BFL API key was refused (HTTP 403).")  # fmt: skip
    assert main(["jobs", "--json"]) == 0
    [listed] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed["state"] == "submitted"
    assert main(["resume", "--json"]) == 0
    [line] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert line["state"] == "saved" and image_size(line["output"]) == (256, 192)
    assert keyed_env.submit_count == 1 and keyed_env.key_leaks() == []


def test_a_job_someone_works_on_is_not_claimed(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    running = JobRecord(JobParams(input="a.png", width=64, height=64), job_id="j")
    running.state = JobState.SUBMITTED  # its run, in a thread of this process, owns it
    journal.save(running)
    assert journal.collectable() == [] and not journal.claim(running)
    journal.release(running)  # the run ended, leaving the job collectable
    [waiting] = journal.collectable()
    stale = journal.load(waiting.key)
    assert journal.claim(waiting)  # taken: no one else may take it now
    assert not journal.claim(stale)
    waiting.owner_pid = 0
    journal.move(waiting, JobState.READY)
    assert not journal.claim(stale)  # what the caller holds is out of date
