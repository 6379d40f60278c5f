"""The Qt adapter over :class:`EditorState`: change signals and undoable geometry edits."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from outpaint_studio.core.editor import EditorState, Geometry, initial_geometry
from outpaint_studio.core.options import Options


class EditorModel(QObject):
    """Owns the editor state; views call its actions and follow its signals.

    Undo steps are kept per layout: the editor's own, and each format's (see ``use_layout``);
    the undo actions follow ``undo_group``, whose active stack is the layout's on the canvas.

    Signals:
        source_changed: a new source (path and size).
        canvas_changed: the canvas width or height.
        scale_changed: the source scale.
        offset_changed: the source's position (or centring) on the canvas.
        options_changed: engine, mode, format, prompt, safety or auto-crop.
        changed: after any of the above, for readouts.
    """

    source_changed = Signal()
    canvas_changed = Signal()
    scale_changed = Signal()
    offset_changed = Signal()
    options_changed = Signal()
    changed = Signal()

    def __init__(self, options: Options | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = EditorState(options=options or Options())
        self.undo_group = QUndoGroup(self)
        self._stacks: dict[str | None, QUndoStack] = {}
        self.use_layout(None)

    @property
    def state(self) -> EditorState:
        return self._state

    @property
    def undo_stack(self) -> QUndoStack:
        """The undo steps of the layout on the canvas."""
        stack = self.undo_group.activeStack()
        assert stack is not None
        return stack

    def use_layout(self, name: str | None) -> None:
        """Undo and redo work on the steps of layout ``name`` (None: the editor's own)."""
        stack = self._stacks.get(name)
        if stack is None:
            stack = self._stacks[name] = QUndoStack(self)
            self.undo_group.addStack(stack)
        self.undo_group.setActiveStack(stack)

    def forget_layouts(self) -> None:
        """Drop every format layout's steps (the formats were placed anew); the editor's own
        layout keeps its steps."""
        for name in [name for name in self._stacks if name is not None]:
            stack = self._stacks.pop(name)
            self.undo_group.removeStack(stack)
            stack.deleteLater()
        self.use_layout(None)

    # --- plain setters (no undo) -----------------------------------------------------------

    def set_state(self, new: EditorState) -> None:
        old, self._state = self._state, new
        emitted = False
        if (old.source_path, old.source_size) != (new.source_path, new.source_size):
            self.source_changed.emit()
            emitted = True
        g, h = old.geometry, new.geometry
        if (g.canvas_width, g.canvas_height) != (h.canvas_width, h.canvas_height):
            self.canvas_changed.emit()
            emitted = True
        if g.scale != h.scale:
            self.scale_changed.emit()
            emitted = True
        if (g.offset_x, g.offset_y) != (h.offset_x, h.offset_y) or emitted:
            self.offset_changed.emit()  # a centred source moves with the canvas or the scale
            emitted = True
        if old.options != new.options:
            self.options_changed.emit()
            emitted = True
        if emitted:
            self.changed.emit()

    def set_geometry_live(self, geometry: Geometry) -> None:
        """During a drag: follow the mouse; the drag pushes one undo step when it ends."""
        self.set_state(replace(self._state, geometry=geometry))

    def set_source(self, path: str, size: tuple[int, int]) -> None:
        self.forget_layouts()
        self.undo_stack.clear()
        self.set_state(replace(self._state, source_path=path, source_size=size,
                               geometry=initial_geometry(size)))  # fmt: skip

    def set_options(self, **changes: object) -> None:
        self.set_state(replace(self._state, options=replace(self._state.options, **changes)))  # type: ignore[arg-type]

    # --- undoable edits ---------------------------------------------------------------------

    def edit(self, geometry: Geometry, text: str, merge: int = -1,
             before: Geometry | None = None) -> None:  # fmt: skip
        """Apply a geometry change as one undo step (``before`` for drags already applied)."""
        before = before or self._state.geometry
        if geometry == before:
            return
        self.undo_stack.push(GeometryCommand(self, before, geometry, text, merge))

    def set_canvas(self, width: int, height: int) -> None:
        g = self._state.geometry
        self.edit(replace(g, canvas_width=width, canvas_height=height), "Canvas size", 1)

    def set_offset(self, x: int | None, y: int | None) -> None:
        self.edit(self._state.moved_to(x, y), "Move source", 2)

    def nudge(self, dx: int, dy: int) -> None:
        placement = self._state.placement()
        self.edit(self._state.moved_to(placement.x + dx, placement.y + dy), "Nudge", 3)

    def set_scale(self, scale: float) -> None:
        self.edit(replace(self._state.geometry, scale=scale), "Source scale", 4)


class GeometryCommand(QUndoCommand):
    """One undoable geometry change; consecutive edits of one kind merge into one step."""

    def __init__(
        self, model: EditorModel, before: Geometry, after: Geometry, text: str, merge: int
    ) -> None:
        super().__init__(text)
        self.model = model
        self.before = before
        self.after = after
        self.merge = merge

    def id(self) -> int:
        return self.merge

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, GeometryCommand) or other.merge != self.merge:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.model.set_geometry_live(self.after)

    def undo(self) -> None:
        self.model.set_geometry_live(self.before)
