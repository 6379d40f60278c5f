"""Variations: several results from one layout, side by side in a strip to compare and keep.

The strip follows the job controller: a tile per variation shows its state while it runs and its
thumbnail once saved. Selecting a tile shows that result on the canvas in place (the usual
before/after applies); Enter keeps it, Delete discards it from the strip (the journal and the
history keep it until deleted there). Save exports the kept ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QImage,
    QKeyEvent,
    QPainter,
    QPen,
    QPixmap,
    QPolygon,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outpaint_studio.model.jobs import JobOutcome
from outpaint_studio.ui.widgets import named

if TYPE_CHECKING:
    from pathlib import Path

    from outpaint_studio.core.editor import Geometry
    from outpaint_studio.ui.main_window import MainWindow

THUMB = QSize(132, 96)
INDEX_ROLE = Qt.ItemDataRole.UserRole + 1
KEPT_COLOUR = QColor("#2e9d5b")
FAILED_STATES = {"failed": "Failed", "uncertain": "Uncertain", "cancelled": "Cancelled",
                 "submitted": "Submitted, not collected", "ready": "Not saved"}  # fmt: skip


@dataclass
class Variation:
    index: int
    status: str = "Waiting"
    outcome: JobOutcome | None = None
    image: QImage | None = None
    thumb: QPixmap | None = None
    kept: bool = False

    @property
    def ready(self) -> bool:
        return self.outcome is not None and self.outcome.succeeded and self.image is not None


def placeholder(text: str) -> QPixmap:
    pixmap = QPixmap(THUMB)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setPen(QPen(QColor(128, 128, 128, 160), 1, Qt.PenStyle.DashLine))
    painter.drawRoundedRect(pixmap.rect().adjusted(1, 1, -2, -2), 6, 6)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


def badge(thumb: QPixmap) -> QPixmap:
    """The thumbnail with a green frame and check mark: kept."""
    pixmap = QPixmap(thumb)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(KEPT_COLOUR, 4))
    painter.drawRect(pixmap.rect().adjusted(2, 2, -2, -2))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(KEPT_COLOUR))
    painter.drawEllipse(pixmap.width() - 26, 4, 22, 22)
    painter.setPen(QPen(QColor("white"), 3))
    right = pixmap.width()
    painter.drawPolyline(QPolygon([QPoint(right - 20, 15), QPoint(right - 16, 20),
                                   QPoint(right - 9, 10)]))  # fmt: skip
    painter.end()
    return pixmap


class VariationStrip(QListWidget):
    """The tiles; Left/Right move, Enter keeps, Delete discards.

    Signals:
        keep_pressed(): Enter or Return on the strip.
        discard_pressed(): Delete or Backspace on the strip.
    """

    keep_pressed = Signal()
    discard_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(THUMB)
        self.setGridSize(QSize(THUMB.width() + 16, THUMB.height() + 34))
        self.setSpacing(4)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(THUMB.height() + 56)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.keep_pressed.emit()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.discard_pressed.emit()
        else:
            super().keyPressEvent(event)


class VariationsBar(QWidget):
    """The strip under the canvas, with Keep and Discard; shown for Extends of 2 or more."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.editor = window
        self.setObjectName("variationsBar")
        self.entries: dict[int, Variation] = {}
        self.geometry_: Geometry | None = None  # the layout the variations were made for
        about = "Variations: arrows to move, Enter to keep, Delete to discard"
        self.strip = named(VariationStrip(), "variationStrip", about)
        self.title = named(QLabel(), "variationsTitle", "Variations kept")
        self.keep_button = named(QPushButton("Keep"), "keepButton", "Keep this variation (Enter)")
        self.keep_button.setCheckable(True)
        self.discard_button = named(QPushButton("Discard"), "discardButton",
                                    "Remove from the strip; history keeps it (Delete)")  # fmt: skip
        side = QVBoxLayout()
        side.addWidget(self.title)
        side.addWidget(self.keep_button)
        side.addWidget(self.discard_button)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.strip, 1)
        layout.addLayout(side)
        self.strip.currentItemChanged.connect(self._current_changed)
        self.strip.keep_pressed.connect(self.toggle_keep)
        self.strip.discard_pressed.connect(self.discard_current)
        self.keep_button.clicked.connect(self.toggle_keep)
        self.discard_button.clicked.connect(self.discard_current)
        self.hide()

    # --- following the jobs ---------------------------------------------------------------

    def begin(self, count: int) -> None:
        """A new Extend of ``count`` variations: fresh tiles (one result needs no strip)."""
        self.clear()
        if count < 2:
            return
        self.geometry_ = self.editor.model.state.geometry
        for index in range(count):
            self.entries[index] = Variation(index)
            item = QListWidgetItem()
            item.setData(INDEX_ROLE, index)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.strip.addItem(item)
            self._refresh(index)
        self.show()
        self._update_controls()

    @Slot(int, str)
    def set_status(self, index: int, text: str) -> None:
        entry = self.entries.get(index)
        if entry is not None and entry.outcome is None:
            entry.status = text
            self._refresh(index)

    @Slot(object, QImage)
    def job_finished(self, outcome: JobOutcome, image: QImage) -> None:
        """One job ended: its tile shows the result; the first result goes on the canvas."""
        entry = self.entries.get(outcome.index)
        if entry is None:  # a single Extend
            if outcome.succeeded:
                self.editor.results.show(outcome, image)
            return
        entry.outcome = outcome
        if outcome.succeeded and not image.isNull():
            entry.image = image
            entry.thumb = QPixmap.fromImage(image.scaled(
                THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))  # fmt: skip
            entry.status = "Ready"
        else:
            entry.status = FAILED_STATES.get(outcome.state, outcome.state.capitalize())
        self._refresh(outcome.index)
        item = self._item(outcome.index)
        if entry.ready and item is not None and not self._shown_any():
            self.strip.setCurrentItem(item)  # shows it
        total = len(self.entries)
        done = sum(1 for e in self.entries.values() if e.outcome is not None)
        ready = sum(1 for e in self.entries.values() if e.ready)
        if not self.editor.jobs.is_running():
            self.editor.options_panel.show_status(f"{ready} of {total} ready", 100)
        else:
            self.editor.options_panel.show_status(f"{done} of {total} done", done * 100 // total)
        self._update_controls()

    def clear(self) -> None:
        self.entries.clear()
        self.strip.clear()
        self.geometry_ = None
        self.hide()

    # --- the user's choices ---------------------------------------------------------------

    def current(self) -> Variation | None:
        item = self.strip.currentItem()
        return self.entries.get(item.data(INDEX_ROLE)) if item is not None else None

    def kept(self) -> list[Variation]:
        return [e for e in self.entries.values() if e.kept and e.ready]

    @Slot()
    def toggle_keep(self) -> None:
        entry = self.current()
        if entry is not None and entry.ready:
            entry.kept = not entry.kept
            self._refresh(entry.index)
        self._update_controls()

    @Slot()
    def discard_current(self) -> None:
        """Take the current tile off the strip; its result stays in the journal and history."""
        entry = self.current()
        if entry is None or (entry.outcome is None and self.editor.jobs.is_running()):
            return  # still running: Cancel stops it
        row = self.strip.currentRow()
        del self.entries[entry.index]
        self.strip.takeItem(row)
        if self.strip.count() == 0:
            self.editor.results.clear()
            self.editor.statusBar().showMessage("Every variation was discarded; history keeps "
                                                "them", 8000)  # fmt: skip
        self._update_controls()

    @Slot(QListWidgetItem, QListWidgetItem)
    def _current_changed(self, item: QListWidgetItem | None, _old: object) -> None:
        entry = self.entries.get(item.data(INDEX_ROLE)) if item is not None else None
        if entry is not None and entry.ready and entry.outcome and entry.image:
            if self.editor.model.state.geometry == self.geometry_:
                self.editor.results.show(entry.outcome, entry.image)
            else:
                self.editor.statusBar().showMessage(
                    "The layout changed since these variations: undo to compare them", 8000
                )
        self._update_controls()

    # --- saving ---------------------------------------------------------------------------

    def save_kept(self) -> list[Path]:
        """Export the kept variations: one asks for a file, several for a folder."""
        from outpaint_studio.ui.results import load_record

        items = [(e.outcome.output_path, load_record(e.outcome.key), e.index + 1)
                 for e in self.kept() if e.outcome and e.outcome.output_path]  # fmt: skip
        if len(items) == 1:
            written = self.editor.results.export(items[0][0], items[0][1])
            return [written] if written else []
        return self.editor.results.export_to_folder(items)

    # --- drawing --------------------------------------------------------------------------

    def _shown_any(self) -> bool:
        entry = self.current()
        return entry is not None and entry.ready

    def _item(self, index: int) -> QListWidgetItem | None:
        for row in range(self.strip.count()):
            item = self.strip.item(row)
            if item.data(INDEX_ROLE) == index:
                return item
        return None

    def _refresh(self, index: int) -> None:
        entry, item = self.entries.get(index), self._item(index)
        if entry is None or item is None:
            return
        number = f"#{index + 1}"
        if entry.thumb is not None:
            icon = QIcon(badge(entry.thumb) if entry.kept else entry.thumb)
            icon.addPixmap(icon.pixmap(THUMB), QIcon.Mode.Selected)  # no selection tint
            item.setIcon(icon)
            item.setText(f"{number} · Kept" if entry.kept else number)
        else:
            item.setIcon(QIcon(placeholder(number)))
            item.setText(entry.status)
        item.setForeground(QBrush(KEPT_COLOUR) if entry.kept else QBrush())
        item.setToolTip(f"Variation {number}: {entry.status}" + (" · kept" if entry.kept else ""))

    def _update_controls(self) -> None:
        entry = self.current()
        self.keep_button.setEnabled(entry is not None and entry.ready)
        self.keep_button.setChecked(entry is not None and entry.kept)
        self.keep_button.setText("Kept ✓" if self.keep_button.isChecked() else "Keep")
        self.discard_button.setEnabled(entry is not None and (
            entry.outcome is not None or not self.editor.jobs.is_running()))  # fmt: skip
        kept = len(self.kept())
        self.title.setText(f"{kept} kept" if kept else "None kept")
        self.editor.update_result_actions()


__all__ = ["VariationStrip", "VariationsBar"]
