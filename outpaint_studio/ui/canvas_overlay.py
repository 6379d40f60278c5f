"""Widgets laid over the canvas view: the empty state's drop area and the zoom readout."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

EMPTY_SIZE = (360, 220)  # the drop area, in pixels, or less in a smaller view
READOUT_MARGIN = 8


class EmptyState(QFrame):
    """What the canvas shows before there is an image: a drop area with an Open button.

    Signals:
        open_requested: the Open button was clicked.
    """

    open_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setStyleSheet(
            "#emptyState { border: 2px dashed palette(mid); border-radius: 12px;"
            " background: palette(base); }"
        )
        title = QLabel("Drop an image here")
        title.setStyleSheet("font-size: 16pt;")
        hint = QLabel("or paste one with Ctrl+V")
        self.open_button = QPushButton("Open an image…")
        self.open_button.setObjectName("emptyOpenButton")
        self.open_button.clicked.connect(self.open_requested)
        column = QVBoxLayout(self)
        column.addStretch(1)
        for widget in (title, hint, self.open_button):
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)

    def centre_in(self, area: QRect) -> None:
        width = min(EMPTY_SIZE[0], area.width() - 2 * READOUT_MARGIN)
        height = min(EMPTY_SIZE[1], area.height() - 2 * READOUT_MARGIN)
        rect = QRect(0, 0, max(width, 0), max(height, 0))
        rect.moveCenter(area.center())
        self.setGeometry(rect)


class ZoomReadout(QLabel):
    """The view's zoom in a corner of the view, as "50 %"."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("zoomReadout")
        self.setAccessibleName("zoomReadout")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet(
            "#zoomReadout { background: rgba(0, 0, 0, 140); color: white;"
            " border-radius: 4px; padding: 2px 6px; }"
        )

    def show_zoom(self, scale: float) -> None:
        self.setText(zoom_text(scale))
        self.adjustSize()

    def place_in(self, area: QRect) -> None:
        """At the bottom-right corner of ``area``."""
        self.move(
            area.right() - self.width() - READOUT_MARGIN + 1,
            area.bottom() - self.height() - READOUT_MARGIN + 1,
        )


def zoom_text(scale: float) -> str:
    percent = scale * 100
    return f"{percent:.0f} %" if percent >= 10 else f"{percent:.1f} %"
