"""The canvas and placement controls: size, presets, scale, offsets, anchors, readout."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from outpaint_studio.core.editor import EditorState, Geometry
from outpaint_studio.core.layout import (
    ANCHORS,
    ASPECT_PRESETS,
    MAX_PIXELS,
    MIN_SIDE,
    megapixels,
    reduced_ratio,
    snap,
)
from outpaint_studio.model.editor import EditorModel
from outpaint_studio.ui.bind import bind
from outpaint_studio.ui.widgets import caption, hint, named, spin

ANCHOR_GLYPHS = ("↖", "↑", "↗", "←", "•", "→", "↙", "↓", "↘")


class LayoutPanel(QWidget):
    """The geometry controls, bound to the editor model both ways (ui/bind.py), and the
    readouts that follow it."""

    def __init__(self, model: EditorModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption("Canvas"))
        layout.addLayout(self._canvas_rows())
        layout.addSpacing(10)
        layout.addWidget(caption("Source"))
        layout.addLayout(self._source_rows())
        # the canvas size and scale the preset note speaks of: it goes when either changes
        self._noted: tuple[int, int, float] | None = None
        self._bind(model)
        model.changed.connect(self.sync)
        self.sync()

    def _bind(self, model: EditorModel) -> None:
        changed = model.changed

        def state() -> EditorState:
            return model.state

        def geometry() -> Geometry:
            return model.state.geometry

        bind(self.width_spin, changed, lambda: geometry().canvas_width, self._canvas_typed)
        bind(self.height_spin, changed, lambda: geometry().canvas_height, self._canvas_typed)
        bind(self.scale_spin, changed, lambda: round(geometry().scale * 100, 1),
             self._scale_typed)  # fmt: skip
        bind(self.x_spin, changed, lambda: state().placement().x, self._offset_typed)
        bind(self.y_spin, changed, lambda: state().placement().y, self._offset_typed)
        bind(self.centre_h, changed, lambda: geometry().offset_x is None)
        bind(self.centre_v, changed, lambda: geometry().offset_y is None)
        bind(self.auto_crop, changed, lambda: state().options.auto_crop,
             lambda on: model.set_options(auto_crop=on))  # fmt: skip
        bind(self.full_res, changed, lambda: state().full_res_active(),
             lambda on: model.set_options(full_res=on))  # fmt: skip

    # --- building ---------------------------------------------------------------------------

    def _canvas_rows(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        self.width_spin = named(spin(64, 16384, 16, " px"), "canvasWidth", "Canvas width")
        self.height_spin = named(spin(64, 16384, 16, " px"), "canvasHeight", "Canvas height")
        size = QHBoxLayout()
        size.addWidget(self.width_spin, 1)
        times = QLabel("×")
        size.addWidget(times)
        size.addWidget(self.height_spin, 1)
        rows.addLayout(size)
        self.aspect = named(QComboBox(), "aspectCombo", "Aspect preset around the source")
        self.aspect.addItem("Aspect…", None)  # names the current ratio when no preset has it
        for name, ratio in ASPECT_PRESETS.items():
            self.aspect.addItem(name, ratio)
        expand = QHBoxLayout()
        expand.addWidget(self.aspect, 1)
        self.expand_buttons = []
        for factor in (1.25, 1.5, 2.0):
            button = named(QPushButton(f"×{factor:g}"), f"expand{factor:g}".replace(".", "_"),
                           f"Expand the canvas {factor:g} times around the source")  # fmt: skip
            button.clicked.connect(lambda _=False, f=factor: self._expand(f))
            button.setMinimumWidth(56)  # the style's 80 px each would make the panel too wide
            expand.addWidget(button)
            self.expand_buttons.append(button)
        rows.addLayout(expand)
        self.readout = named(QLabel(), "sizeReadout", "Canvas size and megapixels")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.added = named(hint(), "addedReadout", "Pixels added on each side")
        self.preset_note = named(hint(), "presetNote", "What the layout's last change had to do")
        rows.addWidget(self.readout)
        rows.addWidget(self.preset_note)
        rows.addWidget(self.added)
        for box in (self.width_spin, self.height_spin):
            box.editingFinished.connect(self._canvas_typed_to_grid)
        self.aspect.activated.connect(self._aspect_chosen)
        return rows

    def _source_rows(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.scale_spin = named(QDoubleSpinBox(), "scaleSpin", "Source scale in percent")
        self.scale_spin.setRange(1.0, 100.0)
        self.scale_spin.setDecimals(1)
        self.scale_spin.setSuffix(" %")
        self.fit_button = named(QPushButton("Fit 4 MP"), "fitButton", "Scale down to fit 4 MP")
        scale_row = QHBoxLayout()
        scale_row.addWidget(self.scale_spin, 1)
        scale_row.addWidget(self.fit_button)
        form.addRow("Scale", scale_row)
        self.full_res = named(QCheckBox("Full-resolution output"), "fullResCheck",
                              "Upscale the result by 1/scale and keep every pixel of the "
                              "original (only when the source is scaled)")  # fmt: skip
        self.output_size = named(hint(), "outputSizeReadout", "Size of the saved output")
        form.addRow("", self.full_res)
        form.addRow("", self.output_size)
        self.x_spin = named(spin(-65536, 65536, 1, " px"), "offsetX", "Source left, canvas px")
        self.y_spin = named(spin(-65536, 65536, 1, " px"), "offsetY", "Source top, canvas px")
        offsets = QHBoxLayout()
        offsets.addWidget(QLabel("X"))
        offsets.addWidget(self.x_spin, 1)
        offsets.addWidget(QLabel("Y"))
        offsets.addWidget(self.y_spin, 1)
        form.addRow("Offset", offsets)
        rows.addLayout(form)
        place = QHBoxLayout()
        place.addLayout(self._anchor_grid())
        centre = QVBoxLayout()
        stays = "it stays centred as the canvas changes"
        self.centre_h = named(QPushButton("↔ Centre"), "centreH", f"Centre across: {stays}")
        self.centre_v = named(QPushButton("↕ Centre"), "centreV", f"Centre up and down: {stays}")
        for button in (self.centre_h, self.centre_v):
            button.setCheckable(True)
            centre.addWidget(button)
        centre.addStretch(1)
        place.addLayout(centre, 1)
        rows.addLayout(place)
        self.auto_crop = named(QCheckBox("Auto-crop what hangs off the canvas"), "autoCropCheck",
                               "Crop the parts of the source outside the canvas")  # fmt: skip
        self.overhang = named(hint(), "overhangHint", "Where the source hangs off the canvas")
        rows.addWidget(self.auto_crop)
        rows.addWidget(self.overhang)
        self.fit_button.clicked.connect(self.fit)
        self.centre_h.clicked.connect(self._centre_clicked)
        self.centre_v.clicked.connect(self._centre_clicked)
        return rows

    def _anchor_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(2)
        self.anchor_buttons: dict[str, QToolButton] = {}
        for index, (anchor, glyph) in enumerate(zip(ANCHORS, ANCHOR_GLYPHS, strict=True)):
            button = QToolButton()
            named(button, f"anchor-{anchor}", f"Place the source {anchor}")
            button.setText(glyph)
            button.setFixedSize(26, 26)
            button.setCheckable(True)  # checked: the source sits at this anchor now
            self.anchor_buttons[anchor] = button
            button.clicked.connect(lambda _=False, a=anchor: self._anchor(a))
            grid.addWidget(button, index // 3, index % 3)
        return grid

    def placement_controls(self) -> list[QWidget]:
        """The buttons that place the source: the arrows nudge it while one has the focus."""
        return [*self.anchor_buttons.values(), self.centre_h, self.centre_v]

    # --- model -> readouts ------------------------------------------------------------------

    def sync(self) -> None:
        """What follows from the layout besides the bound controls."""
        state = self.model.state
        g = state.geometry
        placement = state.placement()
        self._sync_output(state)
        self._sync_aspect(g)
        self._sync_anchors(state)
        if (g.canvas_width, g.canvas_height, g.scale) != self._noted:
            self.preset_note.setText("")
        self.preset_note.setVisible(bool(self.preset_note.text()))  # no gap when empty
        pixels = state.pixels()
        over = pixels > MAX_PIXELS
        mp = f"{megapixels(pixels):.2f} MP"
        flagged = f"<b style='color:#d33'>{mp} — over 4 MP</b>" if over else mp
        self.readout.setText(f"<b>{g.canvas_width} × {g.canvas_height}</b> &nbsp; {flagged}"
                             f" <span style='color:gray'>/ 4 MP</span>")  # fmt: skip
        self.fit_button.setEnabled(over and state.source_size is not None)
        if state.source_size is None:
            self.added.setText("")
            self.overhang.setText("")
            return
        m = placement.margins()  # negative where the source hangs off: nothing added there
        left, top, right, bottom = (max(side, 0) for side in (m.left, m.top, m.right, m.bottom))
        self.added.setText(f"Adds ← {left}  ↑ {top}  → {right}  ↓ {bottom} px")
        hang = placement.overhang()
        if hang.any() and not state.options.auto_crop:
            self.overhang.setText("The hatched part hangs off the canvas: move the source, "
                                  "enlarge the canvas, or allow auto-crop.")  # fmt: skip
        elif hang.any():
            self.overhang.setText("The hatched part will be cropped away.")
        else:
            self.overhang.setText("")

    def _sync_aspect(self, g: Geometry) -> None:
        """The aspect box shows the canvas's ratio: its preset, or the ratio in numbers."""
        ratio = reduced_ratio(g.canvas_width, g.canvas_height)
        presets = range(1, self.aspect.count())
        index = next((i for i in presets if reduced_ratio(*self.aspect.itemData(i)) == ratio), 0)
        exact = f"{ratio[0]}:{ratio[1]}" if max(ratio) <= 32 else None
        named_ratio = exact or f"{g.canvas_width / g.canvas_height:.2f}:1"
        self.aspect.setItemText(0, named_ratio if index == 0 else "Aspect…")
        self.aspect.setCurrentIndex(index)  # the user's choice arrives by `activated` only

    def _sync_anchors(self, state: EditorState) -> None:
        placement = state.placement()
        for anchor, button in self.anchor_buttons.items():
            placed = placement.anchored(anchor)  # type: ignore[arg-type]
            here = (placed.x, placed.y) == (placement.x, placement.y)
            button.setChecked(here and state.source_size is not None)

    def _sync_output(self, state: EditorState) -> None:
        """The full-resolution choice (only with a scaled source) and the output's size."""
        scaled = state.source_size is not None and state.geometry.scale < 1
        self.full_res.setEnabled(scaled)
        width, height = state.output_size()
        text = f"Output {width} × {height} px ({megapixels(width * height):.2f} MP)"
        self.output_size.setText(text if state.source_size is not None else "")

    # --- widgets -> model -------------------------------------------------------------------

    def _canvas_typed(self, _value: int = 0) -> None:
        self.model.set_canvas(self.width_spin.value(), self.height_spin.value())

    def _canvas_typed_to_grid(self) -> None:
        """A typed side lands on the 16 px grid once typing ends (Enter, or focus moves on),
        and the note says so."""
        typed = (self.width_spin.value(), self.height_spin.value())
        width, height = (max(MIN_SIDE, snap(side)) for side in typed)
        self.model.set_canvas(width, height)
        if (width, height) != typed:
            self._note(f"Rounded to {width} × {height} px: FLUX takes sides in steps of 16 px")

    def _scale_typed(self, value: float) -> None:
        if round(self.model.state.geometry.scale * 100, 1) != value:
            self.model.set_scale(value / 100)

    def _offset_typed(self, _value: int = 0) -> None:
        state = self.model.state
        x, y = self.x_spin.value(), self.y_spin.value()
        placement = state.placement()
        new_x = state.geometry.offset_x if x == placement.x else x
        new_y = state.geometry.offset_y if y == placement.y else y
        self.model.set_offset(new_x, new_y)

    def _centre_clicked(self) -> None:
        state = self.model.state
        placement = state.placement()
        x = None if self.centre_h.isChecked() else placement.x
        y = None if self.centre_v.isChecked() else placement.y
        self.model.edit(state.moved_to(x, y), "Centre")

    def _anchor(self, anchor: str) -> None:
        if self.model.state.source_size is not None:
            self.model.edit(self.model.state.anchored(anchor), "Anchor")  # type: ignore[arg-type]
        self._sync_anchors(self.model.state)  # a click on the anchor in use must not uncheck it

    def _aspect_chosen(self, index: int) -> None:
        ratio = self.aspect.itemData(index)
        if ratio and self.model.state.source_size is not None:
            self._apply_preset(
                self.model.state.with_aspect(*ratio), f"Aspect {ratio[0]}:{ratio[1]}"
            )
        else:
            self._sync_aspect(self.model.state.geometry)

    def _expand(self, factor: float) -> None:
        if self.model.state.source_size is not None:
            self._apply_preset(self.model.state.expanded(factor), f"Expand ×{factor:g}")

    def _apply_preset(self, geometry: Geometry, text: str) -> None:
        """Apply a preset; say so when it had to scale the source down to stay under 4 MP."""
        before = self.model.state.geometry.scale
        self.model.edit(geometry, text)
        if geometry.scale < before:
            self._note(f"Source scaled to {geometry.scale * 100:.1f} % to keep the canvas under "
                       "4 MP")  # fmt: skip

    def _note(self, text: str) -> None:
        """A word on what the layout's last change had to do; it goes with the next change of
        the canvas size or the scale."""
        g = self.model.state.geometry
        self._noted = (g.canvas_width, g.canvas_height, g.scale)
        self.preset_note.setText(text)
        self.preset_note.show()

    def fit(self) -> None:
        """Scale the whole layout down until the canvas is under 4 MP."""
        self.model.edit(self.model.state.fitted(), "Fit under 4 MP")
