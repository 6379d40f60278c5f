"""How the editor window is arranged: the canvas column, the side panel and the history dock."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

HISTORY_WIDTH = 300  # at most: a fifth of the window, so that a small window keeps its canvas
HISTORY_AREA = Qt.DockWidgetArea.LeftDockWidgetArea
ACROSS = Qt.Orientation.Horizontal  # the history dock's width is set across
PANEL_WIDTH = 330


def canvas_backdrop(widget: QWidget) -> QColor:
    """The neutral colour around the canvas frame, from the system palette (light or dark)."""
    return widget.palette().window().color().darker(165)


class WheelScrollsPanel(QObject):
    """A wheel over a spin box or a combo that hasn't the focus scrolls the panel instead of
    changing the value under the pointer; click the control first to change it with the wheel."""

    def __init__(self, panel: QScrollArea) -> None:
        super().__init__(panel)
        self._scroll_bar = panel.verticalScrollBar()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus():
            return False
        QApplication.sendEvent(self._scroll_bar, event)
        return True


def scroll_past_controls(panel: QScrollArea, content: QWidget) -> None:
    """Every spin box and combo in ``content`` lets a wheel scroll ``panel`` unless focused."""
    guard = WheelScrollsPanel(panel)
    for control in content.findChildren(QWidget):
        if isinstance(control, QAbstractSpinBox | QComboBox):
            control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            control.installEventFilter(guard)


def editor_body(
    banner: QWidget,
    canvas: QWidget,
    variations: QWidget,
    layout: QWidget,
    options: QWidget,
    run_area: QWidget,
) -> QSplitter:
    """The canvas with its banner and variations strip, beside the side panel: its options
    scroll, and ``run_area`` (Extend and the job's progress) stays pinned below them."""
    side = QWidget()
    side.setObjectName("sidePanel")
    column = QVBoxLayout(side)
    column.setContentsMargins(14, 12, 14, 12)
    column.setSpacing(8)
    column.addWidget(layout)
    column.addSpacing(10)
    column.addWidget(options, 1)
    scroll = QScrollArea()
    scroll.setWidget(side)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # never narrower than its controls need beside the scroll bar: a narrow window cut off "×2"
    needed = side.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
    scroll.setMinimumWidth(max(PANEL_WIDTH, needed))
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to its controls, not to it
    scroll_past_controls(scroll, side)
    right = QWidget()
    right_column = QVBoxLayout(right)
    right_column.setContentsMargins(0, 0, 0, 0)
    right_column.setSpacing(0)
    right_column.addWidget(scroll, 1)
    right_column.addWidget(run_area)
    centre = QWidget()
    centre_layout = QVBoxLayout(centre)
    centre_layout.setContentsMargins(0, 0, 0, 0)
    centre_layout.setSpacing(0)
    centre_layout.addWidget(banner)
    centre_layout.addWidget(canvas, 1)
    centre_layout.addWidget(variations)
    splitter = QSplitter()
    splitter.addWidget(centre)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, 1)
    splitter.setStretchFactor(1, 0)
    splitter.setChildrenCollapsible(False)
    return splitter


def history_width(window_width: int) -> int:
    """The history dock's first width in a window ``window_width`` wide."""
    return min(HISTORY_WIDTH, window_width // 5)


def history_dock(history: QWidget) -> QDockWidget:
    """The history panel as a dock (the window places it on its left, ``history_width`` wide)."""
    dock = QDockWidget("History")
    dock.setObjectName("historyDock")
    dock.setWidget(history)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)  # fmt: skip
    return dock


def tab_with(window: QMainWindow, first: QDockWidget, other: QDockWidget) -> None:
    """``other`` as a tab of ``first``'s dock (one column of docks leaves the canvas its room);
    showing either from the View menu brings its tab to the front."""
    window.tabifyDockWidget(first, other)
    for dock in (first, other):
        dock.toggleViewAction().triggered.connect(lambda shown, d=dock: shown and d.raise_())
