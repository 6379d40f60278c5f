"""Random sessions of a user on the editor (hypothesis stateful testing, offscreen).

Drags of the source and of the frame's eight handles in many small steps, at several zooms, typed
sizes and offsets, presets, nudges, undo and redo, another image, Extend and Cancel; after every
step the model, the spin boxes, the canvas items and the request agree, and nothing went wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from frame_handles import HANDLES
from helpers import drag, handle_point
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from photos import make_photo
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QSpinBox
from pytestqt.exceptions import capture_exceptions

from outpaint_studio.core.layout import GRID, MIN_SIDE
from outpaint_studio.ui.canvas_items import HANDLE_PX

RUNS = settings(
    max_examples=12,
    stateful_step_count=18,
    deadline=None,
    derandomize=True,  # the same sessions on every run: CI is reproducible
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ZOOMS = [None, 1.0, 0.23, 1.7]  # None: fitted (Ctrl+0)
PRESETS = ["expand1_25", "expand1_5", "expand2", "fitButton", "aspect"]
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
OFFSCREEN_NOISE = ("propagateSizeHints", "grabbing the keyboard")
steps = st.integers(min_value=1, max_value=14)
distance = st.integers(min_value=-420, max_value=420)


class EditorSession(RuleBasedStateMachine):
    def __init__(self, qtbot, qtlog, photos: list[Path]) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        from outpaint_studio.ui import MainWindow

        self.qtbot, self.qtlog, self.photos = qtbot, qtlog, photos
        self.window = MainWindow()
        self.window.resize(1100, 760)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.view = self.window.canvas
        self.model = self.window.model
        self.seen_messages = len(qtlog.records)
        self.model.set_options(mode="fast")  # offline fills in a fraction of a second
        self.open(photos[0])

    def teardown(self) -> None:
        jobs = self.window.jobs
        jobs.cancel()  # a cancelled job may finish its step in the background: wait for that too
        self.qtbot.waitUntil(lambda: not (jobs.is_running() or jobs.is_stopping()), timeout=30_000)
        self.window.close()
        self.window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    # --- how a step is done ---------------------------------------------------------------

    def step(self, action: Callable[[], None]) -> None:
        with capture_exceptions() as exceptions:
            action()
            QApplication.processEvents()
        assert not exceptions, exceptions
        messages = [r.message for r in self.qtlog.records[self.seen_messages :]]
        self.seen_messages = len(self.qtlog.records)
        assert not [m for m in messages if not any(n in m for n in OFFSCREEN_NOISE)], messages

    def open(self, photo: Path) -> None:
        with self.qtbot.waitSignal(self.window.loader.loaded, timeout=20_000):
            self.window.open_image(photo)

    def source_on_screen(self) -> QPointF:
        placement = self.model.state.placement()
        return self.view.viewportTransform().map(QPointF(placement.x, placement.y))

    def press_point_on_source(self) -> QPoint | None:
        """A point of the viewport where a press grabs the source, away from the frame."""
        source = self.view.mapFromScene(self.view.source_item.sceneBoundingRect()).boundingRect()
        area = source.intersected(self.view.viewport().rect().adjusted(4, 4, -4, -4))
        for fx in (0.5, 0.3, 0.7, 0.15, 0.85):
            for fy in (0.5, 0.3, 0.7, 0.15, 0.85):
                point = QPoint(round(area.left() + fx * area.width()),
                               round(area.top() + fy * area.height()))  # fmt: skip
                if area.contains(point) and self.grabbed_at(point) is self.view.source_item:
                    return point
        return None

    def grabbed_at(self, point: QPoint) -> object:
        for item in self.view.items(point):
            if item.acceptedMouseButtons() & Qt.MouseButton.LeftButton:
                return item
        return None

    def type_into(self, name: str, value: int) -> None:
        box = self.window.findChild(QSpinBox, name)
        box.setFocus()
        box.selectAll()
        self.qtbot.keyClicks(box, str(value))
        self.qtbot.keyClick(box, Qt.Key.Key_Return)

    # --- rules --------------------------------------------------------------------------------

    @rule(dx=distance, dy=distance, count=steps, free=st.booleans())
    def drag_the_source(self, dx: int, dy: int, count: int, free: bool) -> None:
        start = self.press_point_on_source()
        if start is None:
            return
        held = CTRL if free else Qt.KeyboardModifier.NoModifier
        self.step(lambda: drag(self.view, start, start + QPoint(dx, dy), count, held))

    @rule(handle=st.sampled_from(list(HANDLES)), out=distance, count=steps, undo=st.booleans())
    def drag_a_handle(self, handle: str, out: int, count: int, undo: bool) -> None:
        start = self.view.mapFromScene(handle_point(self.view, handle))
        inside = self.view.viewport().rect().adjusted(HANDLE_PX, HANDLE_PX, -HANDLE_PX, -HANDLE_PX)
        if not inside.contains(start) or self.grabbed_at(start) is not self.view.frame:
            self.step(lambda: self.qtbot.keyClick(self.window, Qt.Key.Key_0, CTRL))
            start = self.view.mapFromScene(handle_point(self.view, handle))
            if not inside.contains(start):
                return
        before, at = self.model.state, self.source_on_screen()
        hx, hy = HANDLES[handle]
        end = start + QPoint(round((hx - 0.5) * 2 * out), round((hy - 0.5) * 2 * out))
        self.step(lambda: drag(self.view, start, end, count))
        moved = self.source_on_screen() - at
        assert abs(moved.x()) <= 1 and abs(moved.y()) <= 1, (handle, moved)
        if undo and self.model.state != before:
            self.step(lambda: self.qtbot.keyClick(self.view, Qt.Key.Key_Z, CTRL))
            assert self.model.state == before

    @rule(zoom=st.sampled_from(ZOOMS))
    def zoom(self, zoom: float | None) -> None:
        if zoom is None:
            self.step(lambda: self.qtbot.keyClick(self.window, Qt.Key.Key_0, CTRL))
        elif zoom == 1.0:
            self.step(lambda: self.qtbot.keyClick(self.window, Qt.Key.Key_1, CTRL))
        else:
            g = self.model.state.geometry
            centre = QPointF(g.canvas_width / 2, g.canvas_height / 2)
            self.step(lambda: self.view.zoom_to(zoom, centre))

    @rule(width=st.integers(64, 2560), height=st.integers(64, 2560))
    def type_a_size(self, width: int, height: int) -> None:
        self.step(lambda: self.type_into("canvasWidth", width))
        self.step(lambda: self.type_into("canvasHeight", height))

    @rule(x=st.integers(-600, 2000), y=st.integers(-600, 2000))
    def type_an_offset(self, x: int, y: int) -> None:
        self.step(lambda: self.type_into("offsetX", x))
        self.step(lambda: self.type_into("offsetY", y))

    @rule(preset=st.sampled_from(PRESETS), index=st.integers(1, 12))
    def apply_a_preset(self, preset: str, index: int) -> None:
        if preset == "aspect":
            combo = self.window.findChild(QComboBox, "aspectCombo")
            index = index % combo.count()

            def choose() -> None:
                combo.setCurrentIndex(index)
                combo.activated.emit(index)

            self.step(choose)
            return
        button = self.window.findChild(QPushButton, preset)
        if button.isEnabled():
            self.step(lambda: self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton))

    @rule(key=st.sampled_from([Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down]),
          shift=st.booleans())  # fmt: skip
    def nudge(self, key: Qt.Key, shift: bool) -> None:
        before = self.model.state.placement()
        self.view.setFocus()
        self.step(
            lambda: self.qtbot.keyClick(
                self.view, key, SHIFT if shift else Qt.KeyboardModifier.NoModifier
            )
        )
        after = self.model.state.placement()
        moved = abs(after.x - before.x) + abs(after.y - before.y)
        assert moved == (GRID if shift else 1)

    @precondition(lambda self: self.model.undo_stack.canUndo())
    @rule()
    def undo_then_redo(self) -> None:
        before = self.model.state
        self.step(lambda: self.qtbot.keyClick(self.view, Qt.Key.Key_Z, CTRL))
        self.step(lambda: self.qtbot.keyClick(self.view, Qt.Key.Key_Z, CTRL | SHIFT))
        assert self.model.state == before

    @rule()
    def undo(self) -> None:
        self.step(lambda: self.qtbot.keyClick(self.view, Qt.Key.Key_Z, CTRL))

    @rule(which=st.integers(0, 1))
    def open_another_image(self, which: int) -> None:
        self.step(lambda: self.open(self.photos[which]))
        assert self.model.undo_stack.count() == 0

    @precondition(lambda self: self.window.options_panel.extend_button.isEnabled())
    @rule(cancel=st.booleans())
    def extend(self, cancel: bool) -> None:
        panel, jobs = self.window.options_panel, self.window.jobs
        cancel = cancel or self.model.state.pixels() > 600_000  # keep the offline fills short
        self.step(lambda: self.qtbot.mouseClick(panel.extend_button, Qt.MouseButton.LeftButton))
        if cancel and jobs.is_running():
            self.step(lambda: self.qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton))
        self.step(lambda: self.qtbot.waitUntil(lambda: not jobs.is_running(), timeout=60_000))
        if not cancel:
            assert self.window.results.has_result()

    # --- what holds after every step --------------------------------------------------------

    @invariant()
    def everything_agrees(self) -> None:
        state = self.model.state
        g, placement = state.geometry, state.placement()
        for side in (g.canvas_width, g.canvas_height):
            assert side >= MIN_SIDE and side % GRID == 0, g
        find = self.window.findChild
        shown = [find(QSpinBox, name).value() for name in
                 ("canvasWidth", "canvasHeight", "offsetX", "offsetY")]  # fmt: skip
        assert shown == [g.canvas_width, g.canvas_height, placement.x, placement.y]
        view = self.view
        canvas = QRect(0, 0, g.canvas_width, g.canvas_height)
        assert view.frame.rect.toRect() == canvas and view.backdrop.rect().toRect() == canvas
        item = view.source_item
        assert (item.pos().x(), item.pos().y()) == (placement.x, placement.y)
        assert item.size == state.scaled_source
        request = state.request()
        assert (request.width, request.height) == (g.canvas_width, g.canvas_height)
        assert (request.reference_offset_x, request.reference_offset_y) == (g.offset_x, g.offset_y)
        sent = request.placement()
        assert sent is None or (sent.x, sent.y) == (placement.x, placement.y)
        assert view.guides.guides == []  # only while a drag is under way
        assert not view.empty_state.isVisible()


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    return [make_photo(tmp_path / "small.jpg", (360, 240)),
            make_photo(tmp_path / "large.jpg", (2560, 1440))]  # fmt: skip


@pytest.mark.timeout(600)
def test_random_editing_sessions(qtbot, qtlog, photos: list[Path]) -> None:
    run_state_machine_as_test(lambda: EditorSession(qtbot, qtlog, photos), settings=RUNS)
