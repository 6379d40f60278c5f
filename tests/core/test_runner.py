"""The job runner against the real offline engine and the real HTTP client talking to the
simulator: every transition is journaled before anyone hears of it, a paid job that a fault
interrupts stays collectable, and ``collect`` finishes it without a second submit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from bfl_sim import BflSimulator
from photos import API_KEY, image_size

from outpaint_studio.core.engine import Engine
from outpaint_studio.core.jobs import JobParams, JobRecord, Journal
from outpaint_studio.core.runner import JobRunner, JobUpdate
from outpaint_studio.core.source import open_source
from outpaint_studio.core.transitions import JobState
from outpaint_studio.engines.bfl import BflClient
from outpaint_studio.engines.local import LocalEngine

S = JobState
COLLECTED = [S.READY, S.SAVED]
RAN = [S.SUBMITTING, S.SUBMITTED, *COLLECTED]
# The stages that speak of a state: an update about them comes once that state is journaled.
STAGE_STATES = {"submitting": S.SUBMITTING, "queued": S.SUBMITTED, **{s.value: s for s in S}}


class WatchedJournal(Journal):
    """The real journal, noting each state it wrote, as read back from its file."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.written: list[JobState] = []

    def move(self, record: JobRecord, state: JobState, message: str | None = None,
             kind: str | None = None) -> JobRecord:  # fmt: skip
        moved = super().move(record, state, message, kind)
        self.written.append(self.load(record.key).state)
        return moved


class Run:
    """One runner over a watched journal; records every update with the journal's state at
    that moment, so an update about a state not yet journaled shows."""

    def __init__(self, engine: Engine, tmp_path: Path) -> None:
        self.journal = WatchedJournal(tmp_path / "jobs")
        self.runner = JobRunner(engine, self.journal, tmp_path / "history")
        (tmp_path / "history").mkdir()
        self.updates: list[JobUpdate] = []
        self.on_disk: list[JobState] = []
        self.cancel = threading.Event()

    def on_update(self, update: JobUpdate) -> None:
        self.updates.append(update)
        self.on_disk.append(self.journal.load(update.key).state)

    def run(self, params: JobParams) -> JobRecord:
        record = self.runner.create(params)
        assert self.journal.load(record.key).state is S.CREATED
        return self.runner.run(record, open_source(params.input), self.on_update, self.cancel)

    def collect(self, record: JobRecord) -> JobRecord:
        return self.runner.collect(record, self.on_update, threading.Event())

    def told_only_what_was_journaled(self) -> bool:
        """Each update's state, and the state its stage speaks of, were on disk when it came."""
        return all(
            update.state is disk and STAGE_STATES.get(update.stage, disk) is disk
            for update, disk in zip(self.updates, self.on_disk, strict=True)
        )


@pytest.fixture
def flux(sim: BflSimulator, tmp_path: Path) -> Iterator[Run]:
    client = BflClient(API_KEY, sim.base_url, poll_interval=0.5, poll_timeout=20)
    yield Run(client, tmp_path)
    client.session.close()


def params(photo: Path, engine: str, **changes: object) -> JobParams:
    values = {"width": 384, "height": 288, "output": str(photo.with_name(f"out-{engine}.png"))}
    return JobParams(input=str(photo), engine=engine, **{**values, **changes})  # type: ignore[arg-type]


def test_an_offline_job_journals_every_step_and_saves(photo: Path, tmp_path: Path) -> None:
    offline = Run(LocalEngine(use_patchmatch=False), tmp_path)
    record = offline.run(params(photo, "local", seed=1))
    assert record.state is S.SAVED, record.error
    assert offline.journal.written == RAN
    assert offline.told_only_what_was_journaled()
    assert offline.updates[-1].stage == "saved"
    assert image_size(Path(record.output_path or "")) == (384, 288)
    assert Path(record.history_path or "").is_file()
    assert not {"submitting", "queued"} & {u.stage for u in offline.updates}  # nothing remote


def test_a_flux_job_is_submitted_once_journaled_and_saved(
    photo: Path, sim: BflSimulator, flux: Run
) -> None:
    record = flux.run(params(photo, "bfl"))
    assert record.state is S.SAVED, record.error
    assert flux.journal.written == RAN
    assert flux.told_only_what_was_journaled()
    assert {"submitting", "queued"} <= {u.stage for u in flux.updates}
    saved = flux.journal.load(record.key)
    assert saved.job_id in sim.jobs and saved.cost and saved.polling_url
    assert sim.submit_count == 1
    assert image_size(Path(record.output_path or "")) == (384, 288)


def test_a_refused_poll_keeps_the_paid_job_and_collect_finishes_it(
    photo: Path, sim: BflSimulator, flux: Run
) -> None:
    sim.inject("poll_auth", times=100, status=403)  # until the client gives up
    job = params(photo, "bfl")
    record = flux.run(job)
    assert record.state is S.SUBMITTED and "resume" in (record.error or "")
    sim.recover()
    assert flux.journal.written == [S.SUBMITTING, S.SUBMITTED, S.SUBMITTED]
    assert not Path(job.output or "").exists()
    collected = flux.collect(flux.journal.load(record.key))
    assert collected.state is S.SAVED, collected.error
    assert flux.journal.written[-2:] == COLLECTED
    assert flux.told_only_what_was_journaled()
    assert sim.submit_count == 1 and image_size(Path(collected.output_path or "")) == (384, 288)
    again = flux.collect(flux.journal.load(record.key))
    assert again.state is S.SAVED and flux.journal.written[-2:] == COLLECTED  # nothing new
    assert "nothing to collect" in (flux.updates[-1].message or "")


def test_cancelling_a_paid_job_while_it_waits_leaves_it_collectable(
    photo: Path, sim: BflSimulator, flux: Run
) -> None:
    def cancel_once_queued(update: JobUpdate) -> None:
        if update.stage == "queued":
            flux.cancel.set()

    flux.on_update = cancel_once_queued  # type: ignore[method-assign]
    record = flux.run(params(photo, "bfl"))
    assert record.state is S.SUBMITTED and flux.journal.written == [S.SUBMITTING, S.SUBMITTED,
                                                                    S.SUBMITTED]  # fmt: skip
    assert flux.collect(flux.journal.load(record.key)).state is S.SAVED
    assert sim.submit_count == 1


def test_cancelling_before_the_submit_sends_nothing(
    photo: Path, sim: BflSimulator, flux: Run
) -> None:
    flux.cancel.set()
    record = flux.run(params(photo, "bfl"))
    assert record.state is S.CANCELLED and flux.journal.written == [S.CANCELLED]
    assert sim.submit_count == 0


def test_the_services_own_refusal_ends_the_job(photo: Path, sim: BflSimulator, flux: Run) -> None:
    sim.inject("status", status="Request Moderated")
    record = flux.run(params(photo, "bfl"))
    assert record.state is S.FAILED and record.error_kind == "moderated"
    assert flux.journal.written == [S.SUBMITTING, S.SUBMITTED, S.FAILED]
    assert flux.told_only_what_was_journaled()
    assert flux.collect(flux.journal.load(record.key)).state is S.FAILED  # nothing to collect
    assert sim.submit_count == 1


def test_a_request_that_cannot_be_sent_fails_before_anything_is_sent(
    photo: Path, sim: BflSimulator, flux: Run
) -> None:
    job = params(photo, "bfl", offset_x=500)  # the source lies off the canvas
    record = flux.run(job)
    assert record.state is S.FAILED and record.error_kind == "invalid_request"
    assert flux.journal.written == [S.FAILED] and sim.submit_count == 0


def test_an_offline_result_that_could_not_be_saved_is_saved_by_collect(
    photo: Path, tmp_path: Path
) -> None:
    offline = Run(LocalEngine(use_patchmatch=False), tmp_path)
    blocker = tmp_path / "outputs"
    blocker.write_text("a file where the output's folder should be")
    job = params(photo, "local", seed=1, output=str(blocker / "out.png"))
    record = offline.run(job)
    assert record.state is S.READY and "Saving the result failed" in (record.error or "")
    assert offline.journal.written == [*RAN[:-1], S.READY]
    blocker.unlink()
    blocker.mkdir()
    collected = offline.collect(offline.journal.load(record.key))
    assert collected.state is S.SAVED, collected.error
    assert offline.journal.written[-1:] == [S.SAVED]
    assert offline.told_only_what_was_journaled()
    assert image_size(blocker / "out.png") == (384, 288)
