"""The editor's state, Qt-free: the source, its scale, the canvas and the options.

Every edit produces a new frozen :class:`EditorState`; the Qt model (model/editor.py) compares
old and new and emits one signal per part that really changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.layout import (
    MAX_PIXELS,
    MIN_SIDE,
    Anchor,
    Placement,
    PresetFit,
    aspect_canvas,
    expand_around,
    expanded_canvas,
    fit_on_grid,
    megapixels,
    scaled_size,
)
from outpaint_studio.core.options import Options, with_options
from outpaint_studio.core.request import OutpaintRequest, placement_problems
from outpaint_studio.core.words import sentence


@dataclass(frozen=True)
class Geometry:
    """The undoable part: canvas size, source scale and where the source sits."""

    canvas_width: int = 1024
    canvas_height: int = 1024
    scale: float = 1.0
    offset_x: int | None = None  # None: centred
    offset_y: int | None = None


@dataclass(frozen=True)
class EditorState:
    source_path: str | None = None
    source_size: tuple[int, int] | None = None  # the original's, orientation applied
    geometry: Geometry = Geometry()
    options: Options = field(default_factory=Options)

    # --- derived -----------------------------------------------------------------------

    @property
    def scaled_source(self) -> tuple[int, int]:
        if self.source_size is None:
            return (0, 0)
        return scaled_size(self.source_size, self.geometry.scale)

    def placement(self) -> Placement:
        width, height = self.scaled_source
        g = self.geometry
        return Placement(width, height, g.canvas_width, g.canvas_height, g.offset_x, g.offset_y)

    def full_res_active(self) -> bool:
        """Whether the output is upscaled to the original's resolution (only when scaled)."""
        return self.options.full_res and self.geometry.scale < 1

    def output_size(self) -> tuple[int, int]:
        """The saved image's size: the canvas, or the canvas at 1/scale with full resolution."""
        g = self.geometry
        if not self.full_res_active():
            return (g.canvas_width, g.canvas_height)
        return (round(g.canvas_width / g.scale), round(g.canvas_height / g.scale))

    def pixels(self) -> int:
        return self.geometry.canvas_width * self.geometry.canvas_height

    def problems(self) -> list[str]:
        """Why Extend cannot run now, in words; empty when it can."""
        if self.source_size is None:
            return ["Open or drop an image to start"]
        found = []
        g = self.geometry
        if g.canvas_width < MIN_SIDE or g.canvas_height < MIN_SIDE:
            found.append(f"The canvas must be at least {MIN_SIDE} px on each side")
        if self.pixels() > MAX_PIXELS:
            found.append(
                f"The canvas is {megapixels(self.pixels()):.2f} MP, over the 4 MP limit: "
                "shrink it or fit the source under 4 MP"
            )
        found += [sentence(p.message) for p in placement_problems(
            self.placement(), self.options.auto_crop
        )]  # fmt: skip
        return found

    def request(self, input_image: str = "preview") -> OutpaintRequest:
        """The request the service would get (``input_image`` aside)."""
        return self.job_params().request(input_image, self.scaled_source)

    def job_params(self) -> JobParams:
        g = self.geometry
        placed = JobParams(self.source_path or "", g.canvas_width, g.canvas_height, g.offset_x,
                           g.offset_y, g.scale)  # fmt: skip
        return with_options(placed, replace(self.options, full_res=self.full_res_active()))

    # --- edits (each returns a new geometry) ---------------------------------------------

    def with_geometry(self, **changes: object) -> EditorState:
        return replace(self, geometry=replace(self.geometry, **changes))  # type: ignore[arg-type]

    def moved_to(self, x: int | None, y: int | None) -> Geometry:
        return replace(self.geometry, offset_x=x, offset_y=y)

    def anchored(self, anchor: Anchor) -> Geometry:
        placed = self.placement().anchored(anchor)
        return replace(self.geometry, offset_x=placed.offset_x, offset_y=placed.offset_y)

    def expanded(self, factor: float) -> Geometry:
        """The current canvas ``factor`` times larger, source centred (scaled down over 4 MP)."""
        g = self.geometry
        return self._preset(expanded_canvas((g.canvas_width, g.canvas_height), g.scale, factor))

    def with_aspect(self, ratio_w: int, ratio_h: int) -> Geometry:
        """The smallest exact-ratio canvas around the source (scaled down over 4 MP)."""
        size = self.source_size or (0, 0)
        return self._preset(aspect_canvas(size, self.geometry.scale, ratio_w, ratio_h))

    def _preset(self, fit: PresetFit) -> Geometry:
        return Geometry(fit.canvas_width, fit.canvas_height, fit.scale)

    def fitted(self, limit: int = MAX_PIXELS) -> Geometry:
        """The whole layout scaled down together until the canvas is under ``limit``."""
        g = self.geometry
        if self.source_size is None or self.pixels() <= limit:
            return g
        s = g.scale
        base = Placement(
            self.source_size[0],
            self.source_size[1],
            max(1, round(g.canvas_width / s)),
            max(1, round(g.canvas_height / s)),
            None if g.offset_x is None else round(g.offset_x / s),
            None if g.offset_y is None else round(g.offset_y / s),
        )
        factor, scaled = fit_on_grid(base, limit)
        return Geometry(
            scaled.canvas_width,
            scaled.canvas_height,
            factor,
            scaled.offset_x,
            scaled.offset_y,
        )


def initial_geometry(source_size: tuple[int, int]) -> Geometry:
    """A fresh source: a canvas 1.25 times larger around it, scaled under 4 MP when needed."""
    width, height = expand_around(*source_size, 1.25)
    return EditorState(source_size=source_size, geometry=Geometry(width, height)).fitted()
