"""The composition root: engines, runners and the journal, built from the settings and the
environment and handed to the front ends (the CLI and the editor)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from outpaint_studio.core.engine import Engine
from outpaint_studio.core.jobs import JobRecord, Journal
from outpaint_studio.core.options import ENGINES
from outpaint_studio.core.settings import (
    KeyStore,
    Settings,
    data_dir,
    history_dir,
    journal_dir,
    load_settings,
)
from outpaint_studio.core.transitions import JobState

if TYPE_CHECKING:
    from outpaint_studio.core.runner import JobRunner, UpdateCallback


class ConfigurationError(Exception):
    """Settings or options that cannot work (no key for FLUX, an unsafe API URL)."""


@dataclass
class EngineChoice:
    name: str  # "bfl" or "local"
    api_url: str
    reason: str | None = None  # why this engine was picked, when the user did not pick it


def resolve_api_url(settings: Settings, override: str | None = None) -> str:
    return override or os.environ.get("OUTPAINT_STUDIO_API_URL") or settings.api_url


def choose_engine(
    settings: Settings, keys: KeyStore, requested: str | None, api_url: str | None = None
) -> EngineChoice:
    """The engine to use: the requested one, else FLUX when a key exists, else offline."""
    url = resolve_api_url(settings, api_url)
    wanted = requested or (settings.engine if settings.engine in ENGINES else None)
    if wanted:
        return EngineChoice(wanted, url)
    if keys.get():
        return EngineChoice("bfl", url)
    return EngineChoice(
        "local",
        url,
        "no BFL API key is set, so the offline engine is used "
        "(set BFL_API_KEY or add a key in Settings for FLUX)",
    )


def ask_credits(key: str, api_url: str) -> float:
    """The account's balance, asked of the service (GET /v1/credits); raises EngineError, or
    ValueError for an API URL the client refuses."""
    from outpaint_studio.engines.bfl import BflClient  # requests: not at start-up

    client = BflClient(key, api_url)
    try:
        return client.credits()
    finally:
        client.close()


MAX_ACTIVE_JOBS = 24  # BFL answers 429 above this many unfinished jobs per account
OFFLINE_AT_ONCE = 2  # offline fills share the CPU: more at once only take more memory


@dataclass
class Session:
    """The composition root: what the front ends work with, built once from the settings and
    the environment. Engines and runners are made here; the journal is the one both share."""

    settings: Settings
    keys: KeyStore
    journal: Journal
    history: Path
    data: Path  # the app's data folder: the journal and history are in it, and these below
    # Jobs at once, shared by every runner of the session (all its Extends, formats, inputs):
    # the account's active jobs at the service, and offline fills, which share the CPU.
    service_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(MAX_ACTIVE_JOBS)
    )
    offline_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(OFFLINE_AT_ONCE)
    )

    @classmethod
    def open(cls, settings: Settings | None = None, keys: KeyStore | None = None) -> Session:
        """The session of this user's app home (``OUTPAINT_STUDIO_HOME``, or the platform's)."""
        return cls(settings or load_settings(), keys or KeyStore(), Journal(journal_dir()),
                   history_dir(), data_dir())  # fmt: skip

    @property
    def downloads(self) -> Path:
        """Where images opened from a URL are kept."""
        return self.data / "downloads"

    @property
    def pasted(self) -> Path:
        """Where pasted and dropped images are kept, so a job can name its input."""
        return self.data / "pasted"

    @property
    def open_in(self) -> Path:
        """Where "Open layers in…" leaves the files it hands to another application."""
        return self.data / "open-in"

    def api_url(self, override: str | None = None) -> str:
        return resolve_api_url(self.settings, override)

    def choose_engine(self, requested: str | None, api_url: str | None = None) -> EngineChoice:
        return choose_engine(self.settings, self.keys, requested, api_url)

    def automatic_engine(self) -> str:
        """The engine the settings' "auto" would pick now (FLUX with a key, else offline)."""
        return choose_engine(replace(self.settings, engine="auto"), self.keys, None).name

    def engine(self, choice: EngineChoice, seed: int | None = None) -> Engine:
        """The engine ``choice`` names; ``seed`` is the offline engine's (default 0). Raises
        ConfigurationError when it cannot work (no key for FLUX, an unsafe API URL)."""
        if choice.name == "local":
            from outpaint_studio.engines.local import LocalEngine

            return LocalEngine(seed=seed or 0)
        from outpaint_studio.engines.bfl import BflClient

        key = self.keys.get()
        if not key:
            raise ConfigurationError(
                "no BFL API key: set BFL_API_KEY, add a key in Settings, or use --engine local"
            )
        try:
            return BflClient(key, choice.api_url, poll_timeout=self.settings.poll_timeout)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None

    def runner(self, engine: Engine, *, shows_results: bool = False) -> JobRunner:
        """A runner for ``engine``'s jobs (see JobRunner for ``shows_results``)."""
        from outpaint_studio.core.runner import JobRunner  # Pillow and numpy: not at start-up

        slots = self.service_slots if engine.remote else self.offline_slots
        return JobRunner(engine, self.journal, self.history, slots, shows_results)

    def collect(
        self, record: JobRecord, on_update: UpdateCallback, cancel: threading.Event
    ) -> JobRecord:
        """Collect one collectable job: the one path of ``resume``, History's "Poll again" and
        the editor's start-up collection. Blocks (run it off the GUI thread); ``cancel`` stops
        waiting and keeps the job collectable. Returns the record in its new state; raises
        ConfigurationError when its engine cannot be built (no key)."""
        choice = EngineChoice(record.engine, record.api_base or self.api_url())
        runner = self.runner(self.engine(choice, record.params.seed))
        kept = record.history_path is not None and Path(record.history_path).is_file()
        if record.engine == "bfl" or (record.state is JobState.READY and kept):
            return runner.collect(record, on_update, cancel)
        from outpaint_studio.core.images import ImageLoadError
        from outpaint_studio.core.source import open_source

        # an offline job that died mid-way, or whose kept result is gone, is simply run
        # again: it costs nothing
        if not self.journal.claim(record):
            return record
        if record.state is not JobState.CREATED:
            self.journal.move(record, JobState.CREATED)
        try:
            source = open_source(record.params.input)
        except ImageLoadError as exc:
            return self.journal.move(record, JobState.FAILED, exc.message, "input")
        return runner.run(record, source, on_update, cancel)
