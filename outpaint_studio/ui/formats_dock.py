"""The Formats dock: the targets to tick, each with a thumbnail of its layout and its job's state,
the set's anchor, a custom target, the estimate, and Extend all / Cancel all."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outpaint_studio.core.editor import Geometry
from outpaint_studio.core.formats_state import FormatSet
from outpaint_studio.core.layout import ANCHORS
from outpaint_studio.ui.widgets import named

THUMB = QSize(44, 44)
LABEL_ROLE = Qt.ItemDataRole.UserRole + 1
SOURCE_COLOUR = QColor("#4a7fc1")
GENERATED_COLOUR = QColor(160, 160, 160, 120)


def layout_thumb(geometry: Geometry | None, source_size: tuple[int, int] | None) -> QPixmap:
    """The canvas at its aspect, the generated area grey and the source blue."""
    pixmap = QPixmap(THUMB)
    pixmap.fill(QColor(0, 0, 0, 0))
    if geometry is None or source_size is None:
        return pixmap
    g = geometry
    fit = min((THUMB.width() - 2) / g.canvas_width, (THUMB.height() - 2) / g.canvas_height)
    width, height = round(g.canvas_width * fit), round(g.canvas_height * fit)
    left, top = (THUMB.width() - width) // 2, (THUMB.height() - height) // 2
    source_w, source_h = source_size[0] * g.scale, source_size[1] * g.scale
    x = (g.canvas_width - source_w) / 2 if g.offset_x is None else g.offset_x
    y = (g.canvas_height - source_h) / 2 if g.offset_y is None else g.offset_y
    painter = QPainter(pixmap)
    painter.fillRect(QRect(left, top, width, height), GENERATED_COLOUR)
    painter.fillRect(QRect(left + round(x * fit), top + round(y * fit),
                           max(1, round(source_w * fit)), max(1, round(source_h * fit))),
                     SOURCE_COLOUR)  # fmt: skip
    painter.end()
    return pixmap


class FormatsDock(QDockWidget):
    """Shows a FormatSet and says what the user did; it decides nothing.

    Signals:
        target_clicked(str): a target's row was clicked (show its layout on the canvas).
        ticked(str, bool): a target was ticked or unticked.
        custom_entered(str): the text typed as a custom target.
        anchor_chosen(str), set_chosen(str), save_set_requested(), main_layout_requested(),
        extend_all_requested(), cancel_all_requested()
    """

    target_clicked = Signal(str)
    ticked = Signal(str, bool)
    custom_entered = Signal(str)
    anchor_chosen = Signal(str)
    set_chosen = Signal(str)
    save_set_requested = Signal()
    main_layout_requested = Signal()
    extend_all_requested = Signal()
    cancel_all_requested = Signal()
    DOCK_AREA = Qt.DockWidgetArea.RightDockWidgetArea  # where the window places it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Formats", parent)
        self.setObjectName("formatsDock")
        body = QWidget()
        column = QVBoxLayout(body)
        self.list = named(QListWidget(), "formatsList", "Format targets")
        self.list.setIconSize(THUMB)
        self.list.setSpacing(2)  # a tall thumbnail stays clear of its neighbours' rows
        self.list.setWordWrap(True)  # a long row ("16:9 Video and thumbnails") wraps, not scrolls
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.itemClicked.connect(self._on_item_clicked)
        self.custom = named(QLineEdit(), "formatsCustom", "Add a format")
        self.custom.setPlaceholderText("Add a format: 5:4 or 1080x1350")
        self.custom.returnPressed.connect(lambda: self.custom_entered.emit(self.custom.text()))
        self.error = named(QLabel(), "formatsError", "Format problem")
        self.error.setWordWrap(True)
        # a line kept for it: the field above must not move as a hint comes and goes (a click
        # meant for it landed on the list in a trial)
        self.error.setMinimumHeight(self.error.fontMetrics().lineSpacing())
        self.anchor = named(QComboBox(), "formatsAnchor", "Where the source sits")
        for name in ANCHORS:
            self.anchor.addItem(name.replace("-", " ").capitalize(), name)
        self.anchor.setCurrentIndex(ANCHORS.index("center"))
        self.anchor.activated.connect(lambda i: self.anchor_chosen.emit(self.anchor.itemData(i)))
        self.sets = named(QComboBox(), "formatsSets", "Saved sets of formats")
        self.sets.activated.connect(self._on_set_activated)
        self.save_set = named(QPushButton("Save set…"), "formatsSaveSet",
                              "Keep the ticked formats and anchor under a name")  # fmt: skip
        self.save_set.clicked.connect(self.save_set_requested)
        self.main_layout = named(QPushButton("Back to my layout"), "formatsMainLayout",
                                 "Show the editor's own layout")  # fmt: skip
        self.main_layout.clicked.connect(self.main_layout_requested)
        self.cost = named(QLabel(), "formatsCost", "Estimate for every ticked format")
        self.extend_all = named(QPushButton("Extend all"), "extendAllButton", "Extend all")
        self.extend_all.clicked.connect(self.extend_all_requested)
        self.cancel_all = named(QPushButton("Cancel all"), "cancelAllButton", "Cancel all")
        self.cancel_all.clicked.connect(self.cancel_all_requested)
        self.cancel_all.setEnabled(False)
        anchor_row = QHBoxLayout()
        anchor_row.addWidget(QLabel("Anchor"))
        anchor_row.addWidget(self.anchor, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.extend_all, 1)
        buttons.addWidget(self.cancel_all)
        for part in (self.list, self.custom, self.error):
            column.addWidget(part)
        column.addLayout(anchor_row)
        sets_row = QHBoxLayout()
        sets_row.addWidget(self.sets, 1)
        sets_row.addWidget(self.save_set)
        column.addLayout(sets_row)
        column.addWidget(self.main_layout)
        column.addWidget(self.cost)
        column.addLayout(buttons)
        self.setWidget(body)
        self._status: dict[str, str] = {}

    def show_set(
        self, formats: FormatSet, source_size: tuple[int, int] | None, current: str | None
    ) -> None:
        """Every target's row: ticked or not, its thumbnail and the state of its job; the
        ``current`` target's row marked (see ``show_current``)."""
        self.list.blockSignals(True)
        self.list.clear()
        for entry in formats.entries:
            item = QListWidgetItem()
            item.setData(LABEL_ROLE, entry.label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if entry.ticked else Qt.CheckState.Unchecked)
            geometry = formats.geometry(entry, source_size) if source_size else None
            item.setIcon(QIcon(layout_thumb(geometry, source_size)))
            self.list.addItem(item)
            self._set_text(item, entry.use)
        self.show_current(current)
        self.anchor.setCurrentIndex(ANCHORS.index(formats.anchor))
        self.list.blockSignals(False)

    def show_sets(self, names: list[str]) -> None:
        self.sets.clear()
        self.sets.addItem("Saved sets" if names else "No saved sets yet", None)
        for name in names:
            self.sets.addItem(name, name)

    @Slot(int)
    def _on_set_activated(self, index: int) -> None:
        name = self.sets.itemData(index)
        if name:
            self.set_chosen.emit(name)
        self.sets.setCurrentIndex(0)

    def set_status(self, label: str, text: str) -> None:
        self._status[label] = text
        item = self.item(label)
        if item is not None:
            self.list.blockSignals(True)
            self._set_text(item, None)
            self.list.blockSignals(False)

    def clear_status(self) -> None:
        for label in list(self._status):
            self.set_status(label, "")

    def set_thumb(self, label: str, geometry: Geometry, source_size: tuple[int, int]) -> None:
        item = self.item(label)
        if item is not None:
            self.list.blockSignals(True)
            item.setIcon(QIcon(layout_thumb(geometry, source_size)))
            self.list.blockSignals(False)

    def show_error(self, message: str) -> None:
        """The line under the list: why Extend all cannot start, or why a typed target does not
        parse ("" clears it). Other failures go to the window's ErrorModel."""
        self.error.setText(message)

    def set_running(self, running: bool) -> None:
        self.cancel_all.setEnabled(running)
        self.extend_all.setEnabled(not running)

    def show_current(self, label: str | None) -> None:
        """Mark the row of the target whose layout the canvas shows (None: the user's own)."""
        item = self.item(label) if label else None
        self.list.setCurrentRow(self.list.row(item) if item is not None else -1)
        if item is None:
            self.list.clearSelection()

    def current_label(self) -> str | None:
        item = self.list.currentItem()
        return item.data(LABEL_ROLE) if item is not None else None

    def item(self, label: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            if self.list.item(row).data(LABEL_ROLE) == label:
                return self.list.item(row)
        return None

    def _set_text(self, item: QListWidgetItem, use: str | None) -> None:
        label = item.data(LABEL_ROLE)
        if use is not None:
            item.setData(Qt.ItemDataRole.ToolTipRole, use)
        use = item.data(Qt.ItemDataRole.ToolTipRole)
        status = self._status.get(label)
        item.setText(f"{label}  {use}" + (f"\n{status}" if status else ""))

    @Slot(QListWidgetItem)
    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self.ticked.emit(item.data(LABEL_ROLE), item.checkState() == Qt.CheckState.Checked)

    @Slot(QListWidgetItem)
    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        self.target_clicked.emit(item.data(LABEL_ROLE))
