"""Drives one job through any engine: prepare, submit, collect, keep, compose, save.

Every step is journaled before the next begins. Progress goes to one callback as
:class:`JobUpdate` values; cancelling stops waiting but leaves a submitted job collectable.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from outpaint_studio.core.engine import (
    CancelledError,
    Engine,
    EngineError,
    EngineResult,
    Submission,
    UncertainSubmitError,
)
from outpaint_studio.core.files import write_atomic
from outpaint_studio.core.images import (
    ImageLoadError,
    SourceImage,
    encode_image,
    load_image,
    output_extension,
    prepare_upload,
    resize,
)
from outpaint_studio.core.jobs import JobParams, JobRecord, JobState, Journal
from outpaint_studio.core.layout import Placement
from outpaint_studio.core.output import render_output, write_output
from outpaint_studio.core.request import InvalidRequest, OutpaintRequest, encode_image_bytes

# Composing and encoding is CPU work: more at once than there are cores only costs memory and
# starves the threads that are submitting and polling.
# Stages that describe a remote service; the offline engine passes through them silently.
SERVICE_STAGES = frozenset({"submitting", "queued"})
_COMPOSE_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


@dataclass(frozen=True)
class JobUpdate:
    key: str
    state: JobState
    stage: str  # preparing, submitting, queued, generating, downloading, saving, or the state
    fraction: float | None
    elapsed: float
    message: str | None = None


UpdateCallback = Callable[[JobUpdate], None]


@dataclass
class PlacedSource:
    placement: Placement  # the layout at the size sent, before any auto-crop
    scaled: Image.Image  # the source at that size, before any auto-crop
    upload_image: Image.Image  # what is sent: scaled, cropped to the canvas under auto-crop
    offset_x: int | None  # the upload's offsets
    offset_y: int | None


def place(params: JobParams, source: SourceImage) -> PlacedSource:
    """Scale the source and crop away what auto-crop would drop anyway (less to upload)."""
    placement = params.placement(source.size)
    scaled = resize(source.image, (placement.source_width, placement.source_height))
    if params.auto_crop and placement.overhang().any() and not placement.visible_box().is_empty():
        visible = placement.visible_box()
        cropped = scaled.crop(placement.crop_box().as_tuple())
        return PlacedSource(placement, scaled, cropped, visible.left, visible.top)
    return PlacedSource(placement, scaled, scaled, params.offset_x, params.offset_y)


def build_request(params: JobParams, source: SourceImage, placed: PlacedSource) -> OutpaintRequest:
    """Encode the upload and build a checked request (raises InvalidRequest)."""
    upload = prepare_upload(source, placed.upload_image)
    offsets = (placed.offset_x, placed.offset_y)
    request = params.request(encode_image_bytes(upload.data), placed.upload_image.size, offsets)
    return request.validate()


class JobRunner:
    """Runs jobs; thread-safe. ``active_limit`` bounds the jobs submitted and not yet downloaded
    (the service's per-account limit), while preparing and saving run outside that bound."""

    def __init__(
        self, engine: Engine, journal: Journal, history: Path, active_limit: int | None = None
    ) -> None:
        self.engine = engine
        self.journal = journal
        self.history = history
        self._slots = threading.BoundedSemaphore(active_limit) if active_limit else None

    @contextmanager
    def _active_slot(self, cancel: threading.Event) -> Iterator[bool]:
        """Wait for room under the active-job limit; yields False when cancelled meanwhile."""
        if self._slots is None:
            yield True
            return
        while not self._slots.acquire(timeout=0.1):
            if cancel.is_set():
                yield False
                return
        try:
            yield True
        finally:
            self._slots.release()

    def create(self, params: JobParams, api_base: str | None = None) -> JobRecord:
        record = JobRecord(params=params, api_base=api_base)
        self.journal.save(record)
        return record

    def run(
        self,
        record: JobRecord,
        source: SourceImage,
        on_update: UpdateCallback,
        cancel: threading.Event,
    ) -> JobRecord:
        """Run a created job to the end; returns the record in its final state."""
        started = time.monotonic()
        report = _Reporter(record, on_update, started)
        report("preparing")
        placed = place(record.params, source)
        try:
            request = build_request(record.params, source, placed)
        except InvalidRequest as exc:
            return self._end(record, JobState.FAILED, report, str(exc), "invalid_request")
        with self._active_slot(cancel) as granted:
            if not granted or cancel.is_set():
                return self._end(record, JobState.CANCELLED, report, "cancelled before submitting")
            self._step(record, JobState.SUBMITTING, report, "submitting")
            try:
                submission = self.engine.submit(request, placed.upload_image, cancel)
            except CancelledError:
                return self._end(record, JobState.CANCELLED, report, "cancelled before submitting")
            except UncertainSubmitError as exc:
                return self._end(record, JobState.UNCERTAIN, report, exc.message, exc.kind)
            except EngineError as exc:
                return self._end(record, JobState.FAILED, report, exc.message, exc.kind)
            self._submitted(record, submission, report)
            waited = self._wait_for(record, submission, report, cancel)
        # the service is done with the job: the next one may go while this one is kept and saved
        fetched = waited if isinstance(waited, JobRecord) else self._keep(record, waited, report)
        if isinstance(fetched, JobRecord):
            return fetched
        return self._finish(record, fetched, source, placed, report)

    def collect(
        self,
        record: JobRecord,
        on_update: UpdateCallback,
        cancel: threading.Event,
        source: SourceImage | None = None,
    ) -> JobRecord:
        """Finish a job that was submitted earlier (resume, or "poll again")."""
        report = _Reporter(record, on_update, time.monotonic())
        if source is None:
            try:
                source = load_image(record.params.input)
            except ImageLoadError:
                source = None  # the result is still saved, just without paste-back
        placed = place(record.params, source) if source is not None else None
        submission = Submission(
            record.job_id or "", record.polling_url, record.cost, record.input_mp, record.output_mp
        )
        if record.state is JobState.READY and record.history_path:
            data = Path(record.history_path).read_bytes()
            image = Image.open(io.BytesIO(data))
            image.load()
            fetched: EngineResult | JobRecord = EngineResult(
                image, data, record.params.output_format
            )
        else:
            fetched = self._fetch(record, submission, report, cancel)
        if isinstance(fetched, JobRecord):
            return fetched
        return self._finish(record, fetched, source, placed, report)

    def _fetch(
        self,
        record: JobRecord,
        submission: Submission,
        report: _Reporter,
        cancel: threading.Event,
    ) -> EngineResult | JobRecord:
        """The engine's result, kept in history at once; or the record, ended, on failure."""
        waited = self._wait_for(record, submission, report, cancel)
        return waited if isinstance(waited, JobRecord) else self._keep(record, waited, report)

    def _wait_for(
        self,
        record: JobRecord,
        submission: Submission,
        report: _Reporter,
        cancel: threading.Event,
    ) -> EngineResult | JobRecord:
        try:
            return self.engine.collect(submission, report.progress, cancel)
        except EngineError as exc:
            return self._collect_failed(record, submission, report, exc)

    def _finish(
        self,
        record: JobRecord,
        result: EngineResult,
        source: SourceImage | None,
        placed: PlacedSource | None,
        report: _Reporter,
    ) -> JobRecord:
        report("saving")
        try:
            with _COMPOSE_SLOTS:  # one per core; the write, waiting on the disk, needs none
                data = render_output(record, result, source, placed)
            write_output(record, data, self.history)
        except OSError as exc:
            message = f"the result is kept in history, but saving it failed: {exc.strerror or exc}"
            return self._end(record, JobState.READY, report, message, "save")
        return self._end(record, JobState.SAVED, report, None)

    def _collect_failed(
        self, record: JobRecord, submission: Submission, report: _Reporter, exc: EngineError
    ) -> JobRecord:
        collectable_later = submission.polling_url is not None
        if isinstance(exc, CancelledError):
            if collectable_later:
                message = "cancelled; the job was submitted and can still be collected (resume)"
                return self._end(record, JobState.SUBMITTED, report, message, exc.kind)
            return self._end(record, JobState.CANCELLED, report, "cancelled")
        if exc.kind in ("timed_out", "network") and collectable_later:
            return self._end(record, JobState.SUBMITTED, report, exc.message, exc.kind)
        return self._end(record, JobState.FAILED, report, exc.message, exc.kind)

    def _submitted(self, record: JobRecord, submission: Submission, report: _Reporter) -> None:
        record.job_id = submission.job_id
        record.polling_url = submission.polling_url
        record.cost = submission.cost
        record.input_mp = submission.input_mp
        record.output_mp = submission.output_mp
        self._step(record, JobState.SUBMITTED, report, "queued")

    def _keep(
        self, record: JobRecord, result: EngineResult, report: _Reporter
    ) -> EngineResult | JobRecord:
        """Put the engine's result in the history folder before anything else happens to it;
        a result of the wrong size is kept too, and ends the job."""
        fmt = result.format or record.params.output_format
        data = result.data or encode_image(result.image, fmt)
        path = self.history / f"{record.key}.raw{output_extension(fmt)}"
        record.history_path = str(write_atomic(data, path, overwrite=True))
        record.notice = result.notice
        self._step(record, JobState.READY, report, "saving")
        expected = (record.params.width, record.params.height)
        if result.image.size != expected:
            message = (
                f"the result is {result.image.width}x{result.image.height} px, not the "
                f"{expected[0]}x{expected[1]} asked for; it is kept in history as received"
            )
            return self._end(record, JobState.FAILED, report, message, "wrong_size")
        return result

    def _step(self, record: JobRecord, state: JobState, report: _Reporter, stage: str) -> None:
        record.state = state
        self.journal.save(record)
        if stage not in SERVICE_STAGES or self.engine.name != "local":
            report(stage)

    def _end(
        self,
        record: JobRecord,
        state: JobState,
        report: _Reporter,
        message: str | None,
        kind: str | None = None,
    ) -> JobRecord:
        record.state = state
        record.error = message
        record.error_kind = kind
        self.journal.save(record)
        report(state.value, message)
        return record


class _Reporter:
    """Turns engine progress into :class:`JobUpdate` values for one job."""

    def __init__(self, record: JobRecord, on_update: UpdateCallback, started: float) -> None:
        self.record = record
        self.on_update = on_update
        self.started = started

    def __call__(
        self, stage: str, message: str | None = None, fraction: float | None = None
    ) -> None:
        elapsed = time.monotonic() - self.started
        self.on_update(
            JobUpdate(self.record.key, self.record.state, stage, fraction, elapsed, message)
        )

    def progress(self, stage: str, fraction: float | None) -> None:
        self(stage, None, fraction)
