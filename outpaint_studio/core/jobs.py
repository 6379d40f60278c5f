"""Jobs that survive anything: the state machine and the on-disk journal.

A job is written to the journal before it is submitted and after every step, so a crash
never loses a paid result: ``resume`` collects whatever was submitted and not yet saved.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from outpaint_studio.core.files import write_atomic
from outpaint_studio.core.layout import Placement, scaled_size
from outpaint_studio.core.request import OutpaintRequest
from outpaint_studio.core.settings import is_app_file
from outpaint_studio.core.transitions import (
    COLLECTABLE,
    IN_FLIGHT,
    SERVICE_FINAL,
    UNCERTAIN_HELP,
    JobState,
    check_transition,
)

log = logging.getLogger(__name__)

# 2: paid jobs that version 1 failed on a fault of ours are collectable again (migrated once).
JOURNAL_SCHEMA = 2
# What version 1 called generation_failed without the service saying Error.
_NOT_THE_SERVICES_WORD = ("The job ended with an unexpected status", "The job finished but")


MAX_SEED = 2**32  # the offline engine's seeds are 0 to MAX_SEED - 1


@dataclass
class JobParams:
    """Everything the user asked for; enough to redo the job."""

    input: str
    width: int
    height: int
    offset_x: int | None = None
    offset_y: int | None = None
    scale: float = 1.0
    mode: str = "high"
    output_format: str = "png"
    prompt: str | None = None
    safety_tolerance: int = 2
    auto_crop: bool = False
    engine: str = "bfl"
    seed: int | None = None  # the offline engine's: the same seed gives the same result
    paste_back: bool = True
    feather: int = 8
    full_res: bool = False
    output: str | None = None  # explicit output file
    out_dir: str | None = None
    overwrite: bool = False
    sidecar: bool = False  # write NAME.EXT.json beside the output
    target: str | None = None  # a format target ("4:5", "1080x1350"): it names the output
    output_width: int | None = None  # the target's exact pixels: the finished image is
    output_height: int | None = None  # resized to them

    def output_size(self) -> tuple[int, int]:
        """The saved image's size: a target's exact pixels, the canvas at 1/scale with full
        resolution, else the canvas."""
        if self.output_width is not None and self.output_height is not None:
            return (self.output_width, self.output_height)
        if self.full_res and self.scale < 1:
            return (round(self.width / self.scale), round(self.height / self.scale))
        return (self.width, self.height)

    def request(
        self,
        input_image: str,
        source_size: tuple[int, int],
        offsets: tuple[int | None, int | None] | None = None,
    ) -> OutpaintRequest:
        """The request for these parameters; ``source_size`` is the reference as sent, and
        ``offsets`` replace the user's where the upload was cropped."""
        offset_x, offset_y = offsets if offsets is not None else (self.offset_x, self.offset_y)
        return OutpaintRequest(
            input_image=input_image,
            width=self.width,
            height=self.height,
            auto_crop=self.auto_crop,
            safety_tolerance=self.safety_tolerance,
            output_format=self.output_format,
            prompt=self.prompt or None,
            reference_offset_x=offset_x,
            reference_offset_y=offset_y,
            mode=self.mode,
            source_size=source_size,
        )

    def placement(self, source_size: tuple[int, int]) -> Placement:
        """The layout at the size sent: ``source_size`` is the original's, before scaling."""
        width, height = scaled_size(source_size, self.scale)
        return Placement(width, height, self.width, self.height, self.offset_x, self.offset_y)


@dataclass
class JobRecord:
    params: JobParams
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: JobState = JobState.CREATED
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    api_base: str | None = None
    job_id: str | None = None
    polling_url: str | None = None
    cost: float | None = None
    input_mp: float | None = None
    output_mp: float | None = None
    history_path: str | None = None
    output_path: str | None = None
    error: str | None = None
    error_kind: str | None = None
    notice: str | None = None
    source_change: dict[str, float] | None = None
    owner_pid: int = field(default_factory=os.getpid)  # 0: no process is working on it
    schema: int = JOURNAL_SCHEMA

    @property
    def billed(self) -> float | None:
        """Credits the service bills: nothing for a moderated job (the service says so)."""
        return 0.0 if self.error_kind == "moderated" else self.cost

    @property
    def paid(self) -> bool:
        """Whether the service accepted the job (and bills it)."""
        return self.engine == "bfl" and bool(self.job_id)

    @property
    def engine(self) -> str:
        return self.params.engine

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobRecord:
        known_params = {f.name for f in fields(JobParams)}
        params = JobParams(**{k: v for k, v in data["params"].items() if k in known_params})
        known = {f.name for f in fields(cls)} - {"params", "state"}
        rest = {k: v for k, v in data.items() if k in known}
        rest.setdefault("schema", 1)  # written before the journal had a schema
        return cls(params=params, state=JobState(data["state"]), **rest)

    def summary(self) -> dict[str, Any]:
        """The fields the CLI prints with ``--json``."""
        return {
            "input": self.params.input,
            "output": self.output_path,
            "state": self.state.value,
            "job_id": self.job_id,
            "cost": display_cost(self.billed),
            "error": self.error,
            "notice": self.notice,
            "key": self.key,
            "engine": self.engine,
            "width": self.params.output_size()[0],
            "height": self.params.output_size()[1],
            "target": self.params.target,
            "created_at": self.created_at,
        }


def display_cost(cost: float | None) -> float | None:
    """Credits without the service's float noise (7.000000000000001 -> 7.0)."""
    return None if cost is None else round(cost, 4)


def collectable(record: JobRecord) -> bool:
    """Whether a job can be collected now: paid for and unfinished, and no live process works
    on it (``resume``, Poll again and the editor's start all ask this)."""
    return record.state in COLLECTABLE and not owner_alive(record.owner_pid)


def owner_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


MAX_GENERATIONS = 20  # results used as sources, one after another, traced back to the photo


class Journal:
    """One JSON file per job, written atomically; never holds the API key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def save(self, record: JobRecord) -> None:
        record.updated_at = time.time()
        data = json.dumps(record.to_json(), indent=2, sort_keys=True).encode()
        write_atomic(data, self.path(record.key), overwrite=True)

    def move(
        self,
        record: JobRecord,
        state: JobState,
        message: str | None = None,
        kind: str | None = None,
    ) -> JobRecord:
        """The one way a job changes state: checked against the table (raises
        ``ForbiddenTransition``) and journaled before the caller tells anyone. ``message`` and
        ``kind`` replace the record's error (None clears it)."""
        offline = record.engine != "bfl"
        check_transition(record.state, state, paid=record.paid, offline=offline, kind=kind)
        before = (record.state, record.error, record.error_kind)
        record.state, record.error, record.error_kind = state, message, kind
        try:
            self.save(record)
        except BaseException:
            record.state, record.error, record.error_kind = before
            raise
        return record

    def claim(self, record: JobRecord) -> bool:
        """Take a job no one is working on (no live process, nor a thread of this one), as
        its journal file says, so no one else collects it meanwhile."""
        try:
            current = self.load(record.key)
        except (OSError, ValueError, KeyError, TypeError):
            return False
        if owner_alive(current.owner_pid) or current.state is not record.state:
            return False
        record.owner_pid = os.getpid()
        self.save(record)
        return True

    def release(self, record: JobRecord) -> None:
        """Let go of a job that stays collectable, so resume or Poll again may take it."""
        record.owner_pid = 0
        self.save(record)

    def load(self, key: str) -> JobRecord:
        return JobRecord.from_json(json.loads(self.path(key).read_text(encoding="utf-8")))

    def photo_of(self, source: str) -> str:
        """The photo a source came from: a result used as the source is known by its photo's
        name, not by its history file's (a job key)."""
        for _ in range(MAX_GENERATIONS):
            made = self.find(Path(source).stem) if is_app_file(source) else None
            if made is None:
                break
            source = made.params.input
        return source

    def source_name(self, source: str) -> str:
        """A source as people know it: its file's name, or "a result of" its photo's for a result
        used as the source (its own file is named by a job key)."""
        photo = self.photo_of(source)
        return Path(source).name if photo == source else f"a result of {Path(photo).name}"

    def find(self, key: str) -> JobRecord | None:
        """The job's record, or None when its file is missing or unreadable."""
        try:
            return self.load(key)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def records(self) -> list[JobRecord]:
        """Every readable job, oldest first, migrated; unreadable files are skipped with a
        warning."""
        found = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                record = JobRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("skipping unreadable journal entry %s: %s", path.name, exc)
                continue
            found.append(self._migrated(record) if record.schema < JOURNAL_SCHEMA else record)
        return sorted(found, key=lambda r: r.created_at)

    def _migrated(self, record: JobRecord) -> JobRecord:
        """A paid job version 1 failed on a fault of ours (a refused poll, an unknown status,
        a dead link, a wrong size) becomes collectable again, once."""
        if record.state is not JobState.FAILED or not record.paid or not record.polling_url:
            return record
        error = record.error or ""
        if record.error_kind in SERVICE_FINAL and not error.startswith(_NOT_THE_SERVICES_WORD):
            return record  # the service's own final word
        kept = record.history_path is not None and Path(record.history_path).is_file()
        record.schema, record.owner_pid = JOURNAL_SCHEMA, 0
        message = (
            f"{error or 'failed'} (an earlier version gave up on this paid job; "
            "it is kept and will be collected again)"
        )
        try:
            return self.move(record, JobState.READY if kept else JobState.SUBMITTED, message,
                             "recovered")  # fmt: skip
        except OSError as exc:
            log.warning("could not migrate journal entry %s: %s", record.key, exc)
            return record

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def orphaned(self) -> list[JobRecord]:
        """In-flight jobs no live process works on: what ``resume`` must sort out."""
        return [r for r in self.records() if r.state in IN_FLIGHT and not owner_alive(r.owner_pid)]

    def settle_unsent(self, records: list[JobRecord]) -> list[JobRecord]:
        """Settle, in place, the FLUX jobs of ``records`` a dead process left around their
        submit (``resume`` and the editor's start both do): never sent, so not charged, or maybe
        sent, so uncertain. Returns the ones settled."""
        settled = []
        for record in records:
            unsent = record.state in (JobState.CREATED, JobState.SUBMITTING)
            if record.engine != "bfl" or not unsent or owner_alive(record.owner_pid):
                continue
            if not self.claim(record):
                continue
            if record.state is JobState.CREATED:
                settled.append(
                    self.move(record, JobState.CANCELLED, "interrupted before it was sent")
                )
            else:
                message = f"Job status unknown: {UNCERTAIN_HELP}."
                settled.append(self.move(record, JobState.UNCERTAIN, message, "uncertain"))
        return settled

    def collectable(self) -> list[JobRecord]:
        """Collectable jobs no live process works on, oldest first."""
        return [r for r in self.records() if collectable(r)]
