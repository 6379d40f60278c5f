"""Cost you can see: the estimate before Extend, the session's total, the account's balance."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from outpaint_studio.core.editor import EditorState
from outpaint_studio.core.jobs import JobRecord
from outpaint_studio.core.settings import KeyStore
from outpaint_studio.ui.widgets import named


class BalanceThread(QThread):
    """Asks the service for the balance (GET /v1/credits) off the GUI thread."""

    answered = Signal(str)  # text for the status bar; empty when the check failed

    def __init__(self, key: str, url: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key, self.url = key, url

    def run(self) -> None:
        from outpaint_studio.core.cost import round_credits
        from outpaint_studio.core.engine import EngineError
        from outpaint_studio.engines.bfl import BflClient

        try:
            client = BflClient(self.key, self.url)
            try:
                self.answered.emit(f"Balance {round_credits(client.credits()):g} credits")
            finally:
                client.close()
        except (EngineError, ValueError, OSError):
            self.answered.emit("")


def estimate_text(state: EditorState, records: list[JobRecord]) -> str:
    """The output's size in megapixels, and its credits once a price has been seen."""
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
    if jobs:
        return f"{mp:.2f} MP{jobs} ≈ {total:g} credits"
    return f"{mp:.2f} MP · about {total:g} credits"


class CostView(QObject):
    """Keeps two status-bar labels current: the session's total and the balance."""

    def __init__(self, keys: KeyStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = keys
        self.since = time.time()
        self.session = named(QLabel(), "sessionCost", "Credits spent since the app started")
        self.balance = named(QLabel(), "creditBalance", "Credits left on the account")
        self._thread: BalanceThread | None = None

    def update_session(self, records: list[JobRecord]) -> None:
        from outpaint_studio.core.cost import session_total

        total = session_total(records, self.since)
        self.session.setText(f"Session {total:g} credits")

    def refresh_balance(self, url: str) -> None:
        key = self.keys.get()
        if not key or self._thread is not None:
            self.balance.setText("" if not key else self.balance.text())
            return
        self._thread = BalanceThread(key, url, self)
        self._thread.answered.connect(self._on_balance)
        self._thread.start()

    @Slot(str)
    def _on_balance(self, text: str) -> None:
        self.balance.setText(text)
        if self._thread is not None:
            self._thread.wait()
            self._thread.deleteLater()
        self._thread = None

    def shutdown(self) -> None:
        if self._thread is not None:
            self._thread.wait()
            self._thread = None
