"""Cost you can see: the estimate before Extend, the session's total, the account's balance."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from outpaint_studio.core.editor import EditorState
from outpaint_studio.core.engine import AuthError, EngineError
from outpaint_studio.core.jobs import JobRecord
from outpaint_studio.model.workers import Report, Work, Worker, Workers
from outpaint_studio.session import Session, ask_credits
from outpaint_studio.ui.widgets import named


def balance_check(key: str, url: str) -> Work:
    """A work asking the service for the balance of ``key`` (GET /v1/credits)."""

    def work(_report: Report, _cancel: threading.Event) -> float:
        return ask_credits(key, url)

    return work


def check_failure_text(exc: Exception, key: str) -> str:
    """Why a balance check failed, in one line that never shows the key."""
    if isinstance(exc, EngineError):
        text = exc.message
    elif isinstance(exc, ValueError):  # an API URL the client refuses
        text = str(exc)
    else:
        text = f"The check failed ({type(exc).__name__})."
    return text.replace(key, "…") if key else text


def estimate_text(
    state: EditorState, records: list[JobRecord], balance: float | None = None
) -> str:
    """The output's size in megapixels, and its credits once a price has been seen; when they
    pass the account's last known ``balance``, it says so (the service will refuse the job)."""
    from outpaint_studio.core.cost import estimate_credits, output_megapixels

    g, o = state.geometry, state.options
    mp = output_megapixels(g.canvas_width, g.canvas_height)
    credits = estimate_credits(records, o.mode, mp, o.engine)
    jobs = f" · {o.variations} jobs" if o.variations > 1 else ""
    if o.engine != "bfl":
        return f"{mp:.2f} MP{jobs} · free (offline)"
    if credits is None:
        return f"{mp:.2f} MP{jobs} · credits known after the first FLUX {o.mode} job"
    total = round(credits * o.variations, 3)
    cost = f"{jobs} ≈ {total:g} credits" if jobs else f" · about {total:g} credits"
    short = "" if balance is None or total <= balance else f" · more than the {balance:g} left"
    return f"{mp:.2f} MP{cost}{short}"


class CostView(QObject):
    """Keeps two status-bar labels current: the session's total and the balance. A failed
    balance check says so, with the reason as the label's tooltip.

    Signals:
        balance_changed(): ``credits``, the balance last seen (None: unknown), changed.
    """

    balance_changed = Signal()

    def __init__(self, session: Session, workers: Workers, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = session.keys
        self.api_url = session.api_url
        self.workers = workers
        self.since = time.time()
        self.session = named(QLabel(), "sessionCost", "Credits spent since the app started")
        self.balance = named(QLabel(), "creditBalance", "Credits left on the account")
        self._check: Worker | None = None
        self._key = ""
        self.credits: float | None = None
        self._charged: dict[str, float] = {}  # by job key: a job deleted from History stays spent

    def update_session(self, records: list[JobRecord]) -> None:
        from outpaint_studio.core.cost import round_credits, session_charges

        self._charged.update(session_charges(records, self.since))
        self.session.setText(f"Session {round_credits(sum(self._charged.values())):g} credits")

    def refresh_balance(self) -> None:
        """Ask the session's API for the balance, unless no key is set or a check is already
        under way."""
        key = self.keys.get() or ""
        if not key:
            self._show("", "", None)
            return
        if self._check is not None:
            return
        self._key = key
        work = balance_check(key, self.api_url())
        self._check = self.workers.start(
            work, "balance", returned=self._on_balance, errored=self._on_failed
        )
        self._check.finished.connect(self._on_finished)

    @Slot(object)
    def _on_balance(self, credits: float) -> None:
        from outpaint_studio.core.cost import round_credits

        credits = round_credits(credits)
        self._show(f"Balance {credits:g} credits", "", credits)

    @Slot(object)
    def _on_failed(self, exc: Exception) -> None:
        refused = isinstance(exc, AuthError)
        text = "Balance unavailable: the key was refused" if refused else "Balance unavailable"
        self._show(text, check_failure_text(exc, self._key), None)

    @Slot()
    def _on_finished(self) -> None:
        self._check = None

    def _show(self, text: str, reason: str, credits: float | None) -> None:
        self.balance.setText(text)
        self.balance.setToolTip(reason or "Credits left on the account")
        if credits != self.credits:
            self.credits = credits
            self.balance_changed.emit()
