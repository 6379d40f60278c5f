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
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PIL import Image

from outpaint_studio.core.background import Background
from outpaint_studio.core.engine import (
    CancelledError,
    Engine,
    EngineError,
    EngineResult,
    Submission,
    UncertainSubmitError,
)
from outpaint_studio.core.file_formats import extension
from outpaint_studio.core.files import write_atomic
from outpaint_studio.core.images import (
    ImageLoadError,
    encode_image,
    resize,
)
from outpaint_studio.core.jobs import JobParams, JobRecord, Journal
from outpaint_studio.core.output import finished_image, output_bytes, write_output
from outpaint_studio.core.placing import PlacedSource, build_request, decoded_for, place
from outpaint_studio.core.request import InvalidRequest, OutpaintRequest
from outpaint_studio.core.saving import encode_yielding
from outpaint_studio.core.source import Source, open_source
from outpaint_studio.core.transitions import COLLECTABLE, KEPT, SERVICE_FINAL, JobState
from outpaint_studio.core.words import reason

# Stages that describe a remote service; the offline engine passes through them silently.
SERVICE_STAGES = frozenset({"submitting", "queued"})
# Decoding, scaling, composing and encoding is CPU work: more at once than there are cores only
# costs memory and starves the threads that are submitting and polling.
_COMPOSE_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


@dataclass(frozen=True)
class JobUpdate:
    key: str
    state: JobState
    stage: str  # preparing, submitting, queued, generating, downloading, saving, or the state
    fraction: float | None
    elapsed: float
    message: str | None = None
    image: Image.Image | None = None  # the finished image, as soon as it is composed


UpdateCallback = Callable[[JobUpdate], None]


class _Ended(Exception):
    """The job ended without a result (journaled, with its message): not an error of the run."""

    def __init__(self, record: JobRecord) -> None:
        super().__init__(record.state.value)
        self.record = record


class JobRunner:
    """Runs jobs; thread-safe. ``active_slots``, shared by the runners of a session, bounds the
    jobs submitted and not yet collected (the service's per-account limit, or the offline fills
    that share the CPU), while preparing and saving run outside that bound.

    A front end that ``shows_results`` (the editor) shows each as soon as it is composed: its
    encoding then yields the CPU to the results still being composed. Otherwise (a batch) a
    result is encoded in its compose's turn, so the job ends before more are prepared.
    """

    def __init__(
        self,
        engine: Engine,
        journal: Journal,
        history: Path,
        active_slots: threading.BoundedSemaphore | None = None,
        shows_results: bool = False,
    ) -> None:
        self.engine = engine
        self.journal = journal
        self.history = history
        self._slots = active_slots
        self.shows_results = shows_results

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
        source: Source,
        on_update: UpdateCallback,
        cancel: threading.Event,
    ) -> JobRecord:
        """Run a created job to the end; returns the record in its final state. A source given
        by its file is decoded only while preparing (no larger than sent) and composing."""
        started = time.monotonic()
        report = _Reporter(record, on_update, started)
        report("preparing")
        try:
            with _COMPOSE_SLOTS:
                placed, request = _prepare(record.params, source)
        except ImageLoadError as exc:
            return self._end(record, JobState.FAILED, report, exc.message, "input")
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
            try:
                result = self._wait_for(record, submission, report, cancel)
            except _Ended as ended:
                return ended.record
        # the service is done with the job: the next one may go while this one is kept and saved
        try:
            kept = self._keep(record, result, report)
        except _Ended as ended:
            return ended.record
        return self._finish(record, kept, source, placed, report)

    def collect(
        self,
        record: JobRecord,
        on_update: UpdateCallback,
        cancel: threading.Event,
        source: Source | None = None,
    ) -> JobRecord:
        """Finish a collectable job submitted earlier: the one path of ``resume``, History's
        "Poll again" and the editor's start-up collection. Blocks; run it off the GUI thread.
        Returns the record in its new state (still collectable after a fault, with a message)."""
        report = _Reporter(record, on_update, time.monotonic())
        if record.state not in COLLECTABLE or not self.journal.claim(record):
            busy = record.state in COLLECTABLE
            report(record.state.value, "another process is collecting this job" if busy
                   else f"nothing to collect: the job is {record.state}")  # fmt: skip
            return record
        try:
            source = source or open_source(record.params.input)
            with _COMPOSE_SLOTS:
                placed: PlacedSource | None = place(
                    record.params, decoded_for(record.params, source)
                )
        except ImageLoadError:
            source = placed = None  # the result is still saved, just without paste-back
        submission = Submission(
            record.job_id or "", record.polling_url, record.cost, record.input_mp, record.output_mp
        )
        kept = _kept_result(record)
        try:
            if kept is None:
                result = self._wait_for(record, submission, report, cancel)
                kept = self._keep(record, result, report)
            else:
                kept = self._fitted(record, kept)
        except _Ended as ended:
            return ended.record
        return self._finish(record, kept, source, placed, report)

    def _wait_for(
        self,
        record: JobRecord,
        submission: Submission,
        report: _Reporter,
        cancel: threading.Event,
    ) -> EngineResult:
        """The engine's result; raises _Ended when the job ended without one."""
        try:
            return self.engine.collect(submission, report.progress, cancel)
        except EngineError as exc:
            raise _Ended(self._collect_failed(record, submission, report, exc)) from None

    def _finish(
        self,
        record: JobRecord,
        result: EngineResult,
        source: Source | None,
        placed: PlacedSource | None,
        report: _Reporter,
    ) -> JobRecord:
        report("saving")
        # An offline result (nothing paid) is kept in history as it is saved: the output's own
        # bytes when the output has its very pixels (the offline engine's known pixels are the
        # source's, so paste-back changes nothing), else encoded beside the output.
        same = not (record.params.full_res and record.params.scale < 1) and (
            record.params.output_width is None
        )
        keeping = Background(lambda: None if same else self._write_kept(record, result), "keep")
        try:
            try:
                with _COMPOSE_SLOTS:  # one per core; the write, waiting on the disk, needs none
                    image = finished_image(record, result, source, placed)
                    report.composed(result.image if image is None else image)
                    if record.paid and image is not None and image is not result.image:
                        result.image.close()  # kept in history as received: its memory goes
                    encode = partial(output_bytes, record, result, image)
                    data = None if self.shows_results else encode()
                if data is None:  # shown: the encoding yields to the results still composing
                    data = encode_yielding(encode)
                write_output(record, data, self.history)
            finally:
                keeping.result()
            if same:
                output = EngineResult(result.image, data, record.params.output_format)
                self._write_kept(record, output)
        except (OSError, ImageLoadError) as exc:  # the disk, or the original (at full res)
            with suppress(OSError):  # an offline result was to be kept only once saved
                self._write_kept(record, result)
            why = exc.message if isinstance(exc, ImageLoadError) else reason(exc)
            message = (
                f"Saving the result failed: {why}. It is kept in history and "
                "saving is tried again by `outpaint-studio resume`, Poll again or the next start."
            )
            return self._end(record, JobState.READY, report, message, "save")
        return self._end(record, JobState.SAVED, report, None)

    def _collect_failed(
        self, record: JobRecord, submission: Submission, report: _Reporter, exc: EngineError
    ) -> JobRecord:
        """Only the service's own final word ends a paid job; any other failure keeps it."""
        if record.paid and exc.kind not in SERVICE_FINAL:
            message = f"{exc.message.rstrip('.')}. {KEPT}"
            return self._end(record, JobState.SUBMITTED, report, message, exc.kind)
        if isinstance(exc, CancelledError):
            return self._end(record, JobState.CANCELLED, report, "cancelled")
        return self._end(record, JobState.FAILED, report, exc.message, exc.kind)

    def _submitted(self, record: JobRecord, submission: Submission, report: _Reporter) -> None:
        record.job_id = submission.job_id
        record.polling_url = submission.polling_url
        record.cost = submission.cost
        record.input_mp = submission.input_mp
        record.output_mp = submission.output_mp
        self._step(record, JobState.SUBMITTED, report, "queued")

    def _keep(self, record: JobRecord, result: EngineResult, report: _Reporter) -> EngineResult:
        """Put the engine's result in the history folder, as received, before anything else
        happens to it; an offline result, which nothing paid for, while it is saved. Raises
        _Ended when it cannot be kept (the paid job stays collectable)."""
        try:
            if record.paid or result.data is not None:
                self._write_kept(record, result)
        except OSError as exc:
            message = f"Keeping the result failed: {reason(exc)}. {KEPT}"
            raise _Ended(self._end(record, JobState.SUBMITTED, report, message, "save")) from None
        record.notice = result.notice
        self._step(record, JobState.READY, report, "saving")
        return self._fitted(record, result)

    def _write_kept(self, record: JobRecord, result: EngineResult) -> None:
        if record.history_path is not None:
            return
        fmt = result.format or record.params.output_format
        data = result.data or encode_image(result.image, fmt)
        path = self.history / f"{record.key}.raw{extension(fmt)}"
        record.history_path = str(write_atomic(data, path, overwrite=True))

    def _fitted(self, record: JobRecord, result: EngineResult) -> EngineResult:
        """A result of another size than the canvas is paid for: fit it, and say so."""
        expected = (record.params.width, record.params.height)
        if result.image.size == expected:
            return result
        notice = (
            f"The result came back at {result.image.width}x{result.image.height} px, not the "
            f"{expected[0]}x{expected[1]} asked for: it was resized to fit the canvas (the "
            "original is kept in history)."
        )
        record.notice = notice
        return EngineResult(resize(result.image, expected), None, result.format, notice)

    def _step(self, record: JobRecord, state: JobState, report: _Reporter, stage: str) -> None:
        self.journal.move(record, state)
        if stage not in SERVICE_STAGES or self.engine.remote:
            report(stage)

    def _end(
        self,
        record: JobRecord,
        state: JobState,
        report: _Reporter,
        message: str | None,
        kind: str | None = None,
    ) -> JobRecord:
        if state in COLLECTABLE:
            record.owner_pid = 0  # this process is done with it: resume or Poll again may take it
        self.journal.move(record, state, message, kind)
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
        self(stage, None, None if fraction is None else min(1.0, max(0.0, fraction)))

    def composed(self, image: Image.Image) -> None:
        elapsed = time.monotonic() - self.started
        self.on_update(
            JobUpdate(self.record.key, self.record.state, "saving", None, elapsed, image=image)
        )


def _prepare(params: JobParams, source: Source) -> tuple[PlacedSource, OutpaintRequest]:
    """The source placed at the size sent, and the checked request; the decode is let go here."""
    decoded = decoded_for(params, source)
    placed = place(params, decoded)
    return placed, build_request(params, decoded, placed)


def _kept_result(record: JobRecord) -> EngineResult | None:
    """The result kept in history for a READY job, if it is still there and readable."""
    if record.state is not JobState.READY or not record.history_path:
        return None
    try:
        data = Path(record.history_path).read_bytes()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, SyntaxError):
        return None
    return EngineResult(image, data, (image.format or record.params.output_format).lower())
