"""Variations: several results from one layout, side by side in a strip to compare and keep.

The strip shows the Results model: a tile per variation shows its state while it runs and its
thumbnail once saved. Selecting a tile makes that result current (shown on the canvas in place;
the usual before/after applies); Enter keeps it, Delete discards it from the strip (the journal
and the history keep it until deleted there). Save exports the kept ones.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QIcon, QKeyEvent, QPainter, QPen, QPixmap, QPolygon
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

from outpaint_studio.model.jobs import JobController
from outpaint_studio.model.results import Results, Variation
from outpaint_studio.ui.widgets import named, thumbnail

THUMB = QSize(132, 96)
INDEX_ROLE = Qt.ItemDataRole.UserRole + 1
KEPT_COLOUR = QColor("#2e9d5b")


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

    def __init__(self, results: Results, jobs: JobController) -> None:
        super().__init__()
        self.results = results
        self.jobs = jobs
        self.setObjectName("variationsBar")
        self._thumbs: dict[int, tuple[int, QPixmap]] = {}  # index -> (image cacheKey, thumb)
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
        results.reset.connect(self._rebuild)
        results.variation_changed.connect(self._refresh)
        results.current_changed.connect(self._follow_current)
        jobs.running_changed.connect(self._update_controls)
        self.hide()

    # --- following the model --------------------------------------------------------------

    @Slot()
    def _rebuild(self) -> None:
        self.strip.blockSignals(True)  # the model already knows its current variation
        self.strip.clear()
        for index in self.results.variations:
            item = QListWidgetItem()
            item.setData(INDEX_ROLE, index)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.strip.addItem(item)
            self._refresh(index)
        self.strip.blockSignals(False)
        self._thumbs = {i: t for i, t in self._thumbs.items() if i in self.results.variations}
        self.setVisible(bool(self.results.variations))
        self._follow_current()

    @Slot()
    def _follow_current(self) -> None:
        index = self.results.current_index
        item = self._item(index) if index is not None else None
        if item is not self.strip.currentItem():
            self.strip.blockSignals(True)
            if item is None:  # the canvas shows a result that is not on the strip
                self.strip.setCurrentRow(-1)
                self.strip.clearSelection()
            else:
                self.strip.setCurrentItem(item)
            self.strip.blockSignals(False)
        self._update_controls()

    # --- the user's choices ---------------------------------------------------------------

    def current(self) -> Variation | None:
        item = self.strip.currentItem()
        return self.results.variations.get(item.data(INDEX_ROLE)) if item is not None else None

    @Slot()
    def toggle_keep(self) -> None:
        entry = self.current()
        if entry is not None:
            self.results.toggle_keep(entry.index)
        self._update_controls()

    @Slot()
    def discard_current(self) -> None:
        entry = self.current()
        if entry is not None and self.results.can_discard(entry.index, self.jobs.is_running()):
            self.results.discard(entry.index)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _current_changed(self, item: QListWidgetItem | None, _old: object) -> None:
        self.results.select(item.data(INDEX_ROLE) if item is not None else None)
        self._update_controls()

    # --- drawing --------------------------------------------------------------------------

    def _item(self, index: int) -> QListWidgetItem | None:
        for row in range(self.strip.count()):
            item = self.strip.item(row)
            if item.data(INDEX_ROLE) == index:
                return item
        return None

    def _thumb(self, entry: Variation) -> QPixmap | None:
        cached = self._thumbs.get(entry.index)
        if entry.image is None:  # let go for memory: its thumbnail stays
            return cached[1] if cached is not None else None
        key = entry.image.cacheKey()
        if cached is None or cached[0] != key:
            cached = self._thumbs[entry.index] = (key, thumbnail(entry.image, THUMB))
        return cached[1]

    @Slot(int)
    def _refresh(self, index: int) -> None:
        entry, item = self.results.variations.get(index), self._item(index)
        if entry is None or item is None:
            return
        number = f"#{index + 1}"
        thumb = self._thumb(entry) if entry.ready else None
        if thumb is not None:
            icon = QIcon(badge(thumb) if entry.kept else thumb)
            icon.addPixmap(icon.pixmap(THUMB), QIcon.Mode.Selected)  # no selection tint
            item.setIcon(icon)
            item.setText(f"{number} · Kept" if entry.kept else number)
        else:
            item.setIcon(QIcon(placeholder(number)))
            item.setText(entry.status)
        item.setForeground(QBrush(KEPT_COLOUR) if entry.kept else QBrush())
        item.setToolTip(f"Variation {number}: {entry.status}" + (" · kept" if entry.kept else ""))
        self._update_controls()

    @Slot()
    def _update_controls(self) -> None:
        entry = self.current()
        self.keep_button.setEnabled(entry is not None and entry.ready)
        self.keep_button.setChecked(entry is not None and entry.kept)
        self.keep_button.setText("Kept ✓" if self.keep_button.isChecked() else "Keep")
        self.discard_button.setEnabled(
            entry is not None and self.results.can_discard(entry.index, self.jobs.is_running())
        )
        kept = len(self.results.kept())
        self.title.setText(f"{kept} kept" if kept else "None kept")


__all__ = ["VariationStrip", "VariationsBar", "badge", "placeholder"]
