"""The contact sheet: every target's result side by side at its aspect, to keep, redo or discard,
and to export all at once. Keys as on the variations strip: Enter keeps, Delete discards; R redoes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon, QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QListView,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outpaint_studio.core.transitions import state_words
from outpaint_studio.model.jobs import JobOutcome
from outpaint_studio.ui.variations import VariationStrip, badge, placeholder
from outpaint_studio.ui.widgets import named, thumbnail

BOX = QSize(132, 96)  # each result fits this box at its own aspect
LABEL_ROLE = Qt.ItemDataRole.UserRole + 1


def tile_key(label: str, index: int, count: int) -> str:
    """A tile's name: the target's label, numbered when the target has several variations."""
    return label if count == 1 else f"{label} #{index + 1}"


@dataclass
class SheetTile:
    label: str  # the target's
    key: str  # the tile's: the label, or "4:5 #2" for a target's second variation
    status: str = "Queued"
    outcome: JobOutcome | None = None
    image: QImage | None = None
    thumb: QPixmap | None = None
    kept: bool = False
    discarded: bool = False

    @property
    def ready(self) -> bool:
        return self.outcome is not None and self.outcome.succeeded and not self.discarded


class SheetList(VariationStrip):
    """The variations strip's keys (Enter keeps, Delete discards), and R to redo."""

    redo_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_R:
            self.redo_pressed.emit()
        else:
            super().keyPressEvent(event)


class ContactSheet(QDockWidget):
    """The results of Extend all, one tile per target and variation.

    Signals:
        tile_selected(str): a tile became current, by its key (show its result on the canvas).
        redo_requested(str): run that target again, by its label.
        cancel_requested(str): stop that target's jobs, by its label (submitted ones stay
            collectable).
        export_requested(): Export all.
    """

    tile_selected = Signal(str)
    redo_requested = Signal(str)
    cancel_requested = Signal(str)
    export_requested = Signal()
    DOCK_AREA = Qt.DockWidgetArea.BottomDockWidgetArea  # where the window places it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Formats: results", parent)
        self.setObjectName("formatsSheet")
        self.tiles: dict[str, SheetTile] = {}  # by key
        self._counts: dict[str, int] = {}  # variations per target label
        self.list = named(SheetList(), "contactSheet", "Results of every format")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setIconSize(BOX)
        self.list.setGridSize(QSize(BOX.width() + 24, BOX.height() + 40))
        self.list.setFixedHeight(BOX.height() + 56)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemClicked.connect(lambda item: self.tile_selected.emit(item.data(LABEL_ROLE)))
        self.list.keep_pressed.connect(self.toggle_keep)
        self.list.discard_pressed.connect(self.discard_current)
        self.list.redo_pressed.connect(self.redo_current)
        self.keep = named(QPushButton("Keep"), "sheetKeepButton", "Keep this format's result")
        self.keep.clicked.connect(self.toggle_keep)
        self.redo = named(QPushButton("Redo"), "sheetRedoButton", "Run this format again")
        self.redo.clicked.connect(self.redo_current)
        self.cancel = named(QPushButton("Cancel"), "sheetCancelButton", "Cancel this format")
        self.cancel.clicked.connect(self.cancel_current)
        self.export_all = named(QPushButton("Export all…"), "exportAllButton", "Export all")
        self.export_all.clicked.connect(self.export_requested)
        buttons = QHBoxLayout()
        for button in (self.keep, self.redo, self.cancel):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_all)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.list)
        column.addLayout(buttons)
        self.setWidget(body)
        self._update_controls()

    def begin(self, labels: list[str], count: int = 1) -> None:
        """Tiles for a run's targets, ``count`` each (a redo replaces its target's tiles)."""
        for label in labels:
            keys = [tile_key(label, index, count) for index in range(count)]
            for old in [t.key for t in self.tiles.values() if t.label == label]:
                if old not in keys:
                    del self.tiles[old]
                    self.list.takeItem(self.list.row(self._item(old)))
            self._counts[label] = count
            for key in keys:
                tile = self.tiles.get(key)
                if tile is None:
                    self.tiles[key] = tile = SheetTile(label, key)
                    item = QListWidgetItem()
                    item.setData(LABEL_ROLE, key)
                    self.list.addItem(item)
                tile.status, tile.outcome, tile.image, tile.thumb = "Queued", None, None, None
                tile.kept = tile.discarded = False
                self._refresh(key)
        self.show()

    def clear(self) -> None:
        self.tiles.clear()
        self._counts.clear()
        self.list.clear()
        self._update_controls()

    def set_status(self, label: str, text: str) -> None:
        """A target's state in words, on each of its tiles still waiting for a result."""
        for tile in self.tiles.values():
            if tile.label == label and tile.outcome is None:
                tile.status = text
                self._refresh(tile.key)
        self._update_controls()

    def set_tile_status(self, label: str, index: int, text: str) -> None:
        """One variation's state in words, on its own tile."""
        tile = self.tiles.get(tile_key(label, index, self._counts.get(label, 1)))
        if tile is not None and tile.outcome is None:
            tile.status = text
            self._refresh(tile.key)
            self._update_controls()

    def job_composed(self, label: str, index: int, image: QImage) -> None:
        """A result, shown as soon as it is composed; ``job_finished`` follows once it is
        saved."""
        tile = self.tiles.get(tile_key(label, index, self._counts.get(label, 1)))
        if tile is not None and tile.outcome is None:
            tile.image, tile.thumb = image, thumbnail(image, BOX)
            self._refresh(tile.key)

    def job_finished(self, label: str, outcome: JobOutcome, image: QImage) -> None:
        tile = self.tiles.get(tile_key(label, outcome.index, self._counts.get(label, 1)))
        if tile is None:
            return
        tile.outcome = outcome
        if outcome.succeeded and not image.isNull():
            shown = tile.image is not None and tile.image.cacheKey() == image.cacheKey()
            tile.image = image
            tile.thumb = tile.thumb if shown else thumbnail(image, BOX)
            tile.status = "Done"
        else:
            tile.image = tile.thumb = None  # a composed result that could not be saved
            tile.status = state_words(outcome.state)
        self._refresh(tile.key)
        if self.current() is tile:
            self.tile_selected.emit(tile.key)  # its result, now that there is one
        self._update_controls()

    def current(self) -> SheetTile | None:
        item = self.list.currentItem()
        return self.tiles.get(item.data(LABEL_ROLE)) if item is not None else None

    def select_label(self, label: str) -> None:
        """Make a tile of target ``label`` current (its first one), unless one is already."""
        current = self.current()
        if current is not None and current.label == label:
            return
        key = next((key for key, tile in self.tiles.items() if tile.label == label), None)
        if key is not None:
            self.list.setCurrentItem(self._item(key))

    def exportable(self) -> list[SheetTile]:
        """Every result not discarded, in the sheet's order."""
        return [t for t in self.tiles.values() if t.ready]

    def toggle_keep(self) -> None:
        tile = self.current()
        if tile is not None and tile.ready:
            tile.kept = not tile.kept
            self._refresh(tile.key)
            self._update_controls()

    def discard_current(self) -> None:
        """Discard the selected result; the next one not discarded takes its place on the
        canvas, as on the variations strip."""
        tile = self.current()
        if tile is not None and tile.ready:
            tile.discarded, tile.kept, tile.status = True, False, "Discarded"
            self._refresh(tile.key)
            keys = list(self.tiles)
            at = keys.index(tile.key)
            following = [k for k in keys[at + 1 :] + keys[:at] if self.tiles[k].ready]
            if following:
                self.list.setCurrentItem(self._item(following[0]))
            self._update_controls()

    def redo_current(self) -> None:
        tile = self.current()
        if tile is not None and not tile.kept:
            self.redo_requested.emit(tile.label)

    def cancel_current(self) -> None:
        tile = self.current()
        if tile is not None and tile.outcome is None:
            self.cancel_requested.emit(tile.label)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _current_changed(self, item: QListWidgetItem | None, _old: object) -> None:
        if item is not None:
            self.tile_selected.emit(item.data(LABEL_ROLE))
        self._update_controls()

    def _item(self, key: str) -> QListWidgetItem:
        return next(self.list.item(r) for r in range(self.list.count())
                    if self.list.item(r).data(LABEL_ROLE) == key)  # fmt: skip

    def _refresh(self, key: str) -> None:
        tile = self.tiles[key]
        item = self._item(key)
        if tile.thumb is not None and not tile.discarded:
            item.setIcon(QIcon(badge(tile.thumb) if tile.kept else tile.thumb))
        else:
            item.setIcon(QIcon(placeholder(tile.status)))
        kept = " · kept" if tile.kept else ""
        item.setText(f"{key}{kept}" if tile.thumb is not None else f"{key} · {tile.status}")

    def _update_controls(self) -> None:
        tile = self.current()
        self.keep.setEnabled(tile is not None and tile.ready)
        self.keep.setText("Unkeep" if tile is not None and tile.kept else "Keep")
        self.redo.setEnabled(tile is not None and not tile.kept and tile.outcome is not None)
        self.cancel.setEnabled(tile is not None and tile.outcome is None)
        self.export_all.setEnabled(bool(self.exportable()))
