"""The results of the editor's jobs: the variations of the last Extend, the one on the canvas,
the ones kept, and the layout they were made for.

A single Extend's result becomes current as soon as it is saved; of several variations, the first
ready one does, then the user picks. A result belongs to the layout it was made for: when the
layout changes it is no longer shown (``stale``), and it is shown again when the layout comes
back (undo). A result replaced by another is remembered with its layout, and comes back with it
too (undo to a layout extended before, "Back to my layout" from a format's result). The strip,
the canvas and the actions bind to this model.

Full-size images are held for the variations up to a memory budget (eight full-resolution
results of a 30 MP photo would take 1 GB); beyond it the ones not on the canvas are let go and
read back from their file when chosen again.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from outpaint_studio.core.editor import Geometry
from outpaint_studio.core.transitions import state_words
from outpaint_studio.model.job_work import JobOutcome

MEMORY_BUDGET = 384 * 2**20  # bytes of variations' images held at once
EARLIER_LAYOUTS = 32  # replaced results remembered (by their file) for the layouts they fit


@dataclass
class Variation:
    index: int
    status: str = "Waiting"
    outcome: JobOutcome | None = None
    image: QImage | None = None
    kept: bool = False

    @property
    def ready(self) -> bool:
        return (
            self.outcome is not None
            and self.outcome.succeeded
            and (self.image is not None or bool(self.outcome.output_path))
        )

    def picture(self) -> QImage | None:
        """The full image: held, or read back from its file once the budget let it go."""
        if self.image is None and self.outcome is not None and self.outcome.output_path:
            image = QImage(self.outcome.output_path)
            return None if image.isNull() else image
        return self.image


class Results(QObject):
    """Signals:
    reset(): a new set of variations (the strip rebuilds its tiles).
    variation_changed(int): one variation's status, result or kept mark changed.
    current_changed(): the result on the canvas changed (or is gone, or is stale).
    status_message(str, int): a passing word for the status bar, and for how many ms.
    """

    reset = Signal()
    variation_changed = Signal(int)
    current_changed = Signal()
    status_message = Signal(str, int)

    def __init__(self, parent: QObject | None = None, budget: int = MEMORY_BUDGET) -> None:
        super().__init__(parent)
        self.budget = budget
        self.variations: dict[int, Variation] = {}
        self.outcome: JobOutcome | None = None  # the current result
        self.image: QImage | None = None
        self.made_for: Geometry | None = None  # the layout the current result belongs to
        self.pending_for: Geometry | None = None  # the layout of the Extend under way
        self.layout: Geometry | None = None  # the editor's layout now
        self.stale = False  # the layout moved on: the current result is not shown
        self.current_index: int | None = None
        # replaced results by the layout they were made for, oldest first; read back from file
        self._earlier: dict[Geometry, JobOutcome] = {}

    # --- following the jobs ---------------------------------------------------------------

    def begin(self, count: int, geometry: Geometry) -> None:
        """A new Extend of ``count`` variations on ``geometry`` (a single one gets no
        variations); the current result stays until the first new one replaces it."""
        self.variations = {i: Variation(i) for i in range(count)} if count > 1 else {}
        self.current_index = None
        self.pending_for = geometry
        self.reset.emit()

    def abandon(self) -> None:
        """The Extend begun did not start: its tiles go, the current result stays."""
        self.variations, self.current_index, self.pending_for = {}, None, None
        self.reset.emit()

    def set_status(self, index: int, text: str) -> None:
        entry = self.variations.get(index)
        if entry is not None and entry.outcome is None:
            entry.status = text
            self.variation_changed.emit(index)

    def composed(self, image: QImage) -> None:
        """A single Extend's image, shown as soon as it is composed (then saved)."""
        if not self.variations:
            self._remember_current()
            self.outcome, self.image, self.made_for = None, image, self.pending_for
            self._update_stale()
            self.current_changed.emit()

    def job_finished(self, outcome: JobOutcome, image: QImage) -> None:
        """One job ended: a single Extend's result becomes current; a variation fills its tile,
        and the first ready one becomes current. A collected earlier job (Poll again, the
        start) leaves the variations alone: its keeper shows it where it fits."""
        if outcome.collected:
            return
        entry = self.variations.get(outcome.index)
        if entry is None:
            if outcome.succeeded:
                self.show(outcome, image, self.pending_for)
            return
        entry.outcome = outcome
        if outcome.succeeded and not image.isNull():
            entry.image, entry.status = image, state_words(outcome.state)
        else:
            entry.status = state_words(outcome.state)
        self.variation_changed.emit(outcome.index)  # the strip makes its thumbnail now
        shown = self.current()
        if entry.ready and (shown is None or not shown.ready):
            self.select(outcome.index)
        self._prune()

    # --- the current result ---------------------------------------------------------------

    def show(self, outcome: JobOutcome, image: QImage, geometry: Geometry | None) -> None:
        """Make ``outcome`` the current result, made for ``geometry`` (a job's layout, or the
        layout a result from the history or a format is shown on)."""
        self._remember_current()
        self.outcome, self.image, self.made_for = outcome, image, geometry
        self.current_index = self._index_of(outcome)  # None: not one of the strip's
        self._update_stale()
        self.current_changed.emit()

    def _index_of(self, outcome: JobOutcome) -> int | None:
        return next(
            (i for i, e in self.variations.items() if e.outcome and e.outcome.key == outcome.key),
            None,
        )

    def _remember_current(self) -> None:
        outcome, layout = self.outcome, self.made_for
        if outcome is None or not outcome.output_path or layout is None:
            return
        self._earlier.pop(layout, None)
        self._earlier[layout] = outcome
        if len(self._earlier) > EARLIER_LAYOUTS:
            del self._earlier[next(iter(self._earlier))]

    def _bring_back(self, layout: Geometry) -> None:
        """The result last shown on ``layout``, if one was replaced and its file is there."""
        outcome = self._earlier.pop(layout, None)
        image = QImage(outcome.output_path) if outcome and outcome.output_path else QImage()
        if outcome is not None and not image.isNull():
            self.show(outcome, image, layout)

    def clear(self) -> None:
        self._earlier.clear()
        self.variations.clear()
        self.outcome = self.image = self.made_for = self.pending_for = self.current_index = None
        self.stale = False
        self.reset.emit()
        self.current_changed.emit()

    def saved_words(self, outcome: JobOutcome) -> str:
        """The status bar's word on a saved job: where a single result is kept; of variations,
        which one is ready (the canvas may show another)."""
        if outcome.index in self.variations and not outcome.collected:
            return f"Variation {outcome.index + 1} ready, kept in history"
        return f"Result kept in {outcome.output_path} — Ctrl+S to save it elsewhere"

    def has_result(self) -> bool:
        """Whether a saved result is on the canvas: not while the layout has moved on (after
        an Undo), when Save would write what the canvas no longer shows."""
        return self.outcome is not None and self.outcome.output_path is not None and not self.stale

    def layout_changed(self, geometry: Geometry) -> None:
        """The editor's layout is now ``geometry``: results made for another are not shown."""
        self.layout = geometry
        was = self.stale
        self._update_stale()
        if self.stale:
            self._bring_back(geometry)  # emits if it does
        if self.stale != was:
            self.current_changed.emit()

    def _update_stale(self) -> None:
        self.stale = None not in (self.made_for, self.layout) and self.made_for != self.layout

    # --- the user's choices among the variations ------------------------------------------

    def current(self) -> Variation | None:
        return self.variations.get(self.current_index) if self.current_index is not None else None

    def select(self, index: int | None) -> None:
        self.current_index = index
        entry = self.current()
        image = entry.picture() if entry is not None and entry.ready else None
        if entry is None or entry.outcome is None or image is None:
            return
        if None not in (self.pending_for, self.layout) and self.pending_for != self.layout:
            self.status_message.emit(
                "The layout changed since these variations: undo to compare them", 8000
            )
        else:
            self.show(entry.outcome, image, self.pending_for)

    def _prune(self) -> None:
        """Let go of the images of variations not on the canvas, oldest first, while they take
        more than the budget."""
        held = [e for e in self.variations.values() if e.image is not None]
        total = sum(e.image.sizeInBytes() for e in held if e.image is not None)
        for entry in held:
            if total <= self.budget:
                return
            if entry.image is not None and entry.image is not self.image:
                total -= entry.image.sizeInBytes()
                entry.image = None

    def kept(self) -> list[Variation]:
        return [e for e in self.variations.values() if e.kept and e.ready]

    def toggle_keep(self, index: int) -> None:
        entry = self.variations.get(index)
        if entry is not None and entry.ready:
            entry.kept = not entry.kept
            self.variation_changed.emit(index)

    def can_discard(self, index: int, running: bool) -> bool:
        entry = self.variations.get(index)
        return entry is not None and (entry.outcome is not None or not running)

    def discard(self, index: int) -> None:
        """Take a variation off the strip; the journal and the history keep its result."""
        entry = self.variations.pop(index, None)
        if entry is None:
            return
        shown = entry.outcome is not None and entry.outcome == self.outcome
        if self.current_index == index:
            self.current_index = None
        following = next((i for i in sorted(self.variations) if self.variations[i].ready), None)
        if shown and following is not None:
            self.select(following)  # the next one on the canvas, as the strip moves on
        elif shown or not self.variations:
            self.outcome = self.image = None
            self.current_changed.emit()
        if not self.variations:
            self.status_message.emit("Every variation was discarded; history keeps them", 8000)
        self.reset.emit()


__all__ = ["Results", "Variation"]
