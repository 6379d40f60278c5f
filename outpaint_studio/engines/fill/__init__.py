"""Image completion for the offline engine: pure numpy and Pillow, no Qt.

``fill`` is the entry point: it completes the unknown pixels of a canvas with PatchMatch when the
native library loads, and with a smooth push-pull fill otherwise. Known pixels come back unchanged.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from outpaint_studio.engines.fill import patchmatch_fill
from outpaint_studio.engines.fill.detail import restore_detail
from outpaint_studio.engines.fill.patchmatch_fill import PatchMatchSettings
from outpaint_studio.engines.fill.pushpull import push_pull_fill
from outpaint_studio.engines.fill.seam import match_edge, match_phase_joints
from outpaint_studio.engines.fill.steps import FillCancelled, Steps
from outpaint_studio.engines.fill.strips import Box, Strip, caps_first

try:
    import patchmatch as _patchmatch

    patchmatch_available: bool = bool(_patchmatch.patchmatch_available)
except ImportError:  # pragma: no cover - pypatchmatch is a dependency
    patchmatch_available = False

# 5x5 patches (radius 2) cost 0.6x the time of 7x7 ones and score alike against full-resolution
# PatchMatch (bench_local_quality.py); high's working size is about half a 0.8 MP frame fill;
# fast's misses the same standard cases as high's (at 100k pixels it missed one or two more)
SETTINGS: Final = {
    "fast": PatchMatchSettings(working_pixels=160_000, patch_radius=2),
    "high": PatchMatchSettings(working_pixels=250_000, patch_radius=2),
}

# Expected seconds per pixel of each step, measured on this project's 2-core machine; only their
# ratios matter much: how fast the machine runs now is measured as the fill goes (see steps).
PATCHMATCH_COST = 12e-6  # per pixel of a strip's crop at working size (patch radius 2)
PREPARE_COST = 0.03e-6  # per canvas pixel: the working image and the strips
DETAIL_COST = 0.5e-6  # per canvas pixel: upscaling the working fill and restoring its grain
SEAM_COST = 0.7e-6  # per canvas pixel: matching the source's edge and the strips' joints
PUSH_PULL_COST = 0.3e-6  # per canvas pixel: the fill without PatchMatch

__all__ = ["FillCancelled", "Steps", "fill", "patchmatch_available"]


def fill(
    canvas: np.ndarray,
    known: np.ndarray,
    mode: str = "high",
    *,
    use_patchmatch: bool | None = None,
    seed: int = 0,
    steps: Steps | None = None,
) -> np.ndarray:
    """Complete ``canvas`` (HxWx3 uint8) where ``known`` (HxW bool) is False.

    ``use_patchmatch`` None means "when available". ``steps`` tells another thread how far the
    fill is; the fill raises FillCancelled at the next step's end once its cancel event is set.
    """
    steps = steps or Steps()
    if use_patchmatch is None:
        use_patchmatch = patchmatch_available
    known = known.astype(bool)
    steps.check()
    pixels = known.size
    if known.all():
        result = canvas.copy()
    elif not known.any():
        result = np.full_like(canvas, 128)
    elif not use_patchmatch:
        steps.plan(0.0, [PUSH_PULL_COST * pixels])
        result = push_pull_fill(canvas, known)
    else:
        result = _patchmatch_fill(canvas, known, SETTINGS[mode], seed, steps)
    steps.next()
    return result


def _phase_cost(phases: list[list[Strip]]) -> list[float]:
    """Expected seconds of each phase: its (two) fills run in parallel, so its largest crop."""

    def area(crop: Box) -> int:
        rows, columns = crop
        return (rows.stop - rows.start) * (columns.stop - columns.start)

    return [
        PATCHMATCH_COST * max(area(crop) for strip in phase for crop in strip.crops())
        for phase in phases
    ]


def _patchmatch_fill(
    canvas: np.ndarray,
    known: np.ndarray,
    settings: PatchMatchSettings,
    seed: int,
    steps: Steps,
) -> np.ndarray:
    height, width = known.shape
    working = patchmatch_fill.working_image(canvas, known, settings.working_pixels)
    if not working.known.any():  # the source is smaller than one working pixel
        steps.plan(0.0, [PUSH_PULL_COST * known.size])
        return push_pull_fill(canvas, known)
    caps_go_first = caps_first(working.known)
    phases = patchmatch_fill.strip_plan(working.known, settings, caps_go_first)
    costs = _phase_cost(phases)
    if patchmatch_fill.leaves_interior(working.known):
        costs.append(PATCHMATCH_COST * working.known.size)
    costs += [DETAIL_COST * known.size, SEAM_COST * known.size]
    steps.plan(PREPARE_COST * known.size, costs)
    small = patchmatch_fill.inpaint(working.canvas, working.known, settings, seed, phases, steps)
    generated = patchmatch_fill.upscale(small, (width, height))
    generated = restore_detail(generated, canvas, known, working.scale, seed)
    steps.next()
    generated = match_edge(generated, canvas, known)
    generated = match_phase_joints(generated, known, working.known, caps_go_first)
    result = np.clip(np.rint(generated), 0, 255).astype(np.uint8)
    result[known] = canvas[known]
    return result
