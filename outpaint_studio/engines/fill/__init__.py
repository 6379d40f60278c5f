"""Image completion for the offline engine: pure numpy and Pillow, no Qt.

``fill`` is the entry point: it completes the unknown pixels of a canvas with PatchMatch when the
native library loads, and with a smooth push-pull fill otherwise. Known pixels come back unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final

import numpy as np

from outpaint_studio.engines.fill import patchmatch_fill
from outpaint_studio.engines.fill.detail import restore_detail
from outpaint_studio.engines.fill.patchmatch_fill import PatchMatchSettings
from outpaint_studio.engines.fill.pushpull import push_pull_fill
from outpaint_studio.engines.fill.seam import match_edge, match_joints, side_edges

try:
    import patchmatch as _patchmatch

    patchmatch_available: bool = bool(_patchmatch.patchmatch_available)
except ImportError:  # pragma: no cover - pypatchmatch is a dependency
    patchmatch_available = False

FillProgress = Callable[[float], None]

SETTINGS: Final = {
    "fast": PatchMatchSettings(working_pixels=120_000),
    "high": PatchMatchSettings(working_pixels=500_000),
}


class FillCancelled(Exception):
    """The cancel event was set between two steps."""


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise FillCancelled()


def fill(
    canvas: np.ndarray,
    known: np.ndarray,
    mode: str = "high",
    *,
    use_patchmatch: bool | None = None,
    seed: int = 0,
    cancel: threading.Event | None = None,
    on_progress: FillProgress | None = None,
) -> np.ndarray:
    """Complete ``canvas`` (HxWx3 uint8) where ``known`` (HxW bool) is False.

    ``use_patchmatch`` None means "when available". Raises FillCancelled when ``cancel`` is set.
    """
    report: FillProgress = on_progress or (lambda fraction: None)
    if use_patchmatch is None:
        use_patchmatch = patchmatch_available
    known = known.astype(bool)
    _check(cancel)
    report(0.0)
    if known.all():
        result = canvas.copy()
    elif not known.any():
        result = np.full_like(canvas, 128)
    elif not use_patchmatch:
        result = push_pull_fill(canvas, known)
    else:
        result = _patchmatch_fill(canvas, known, SETTINGS[mode], seed, cancel, report)
    _check(cancel)
    report(1.0)
    return result


def _patchmatch_fill(
    canvas: np.ndarray,
    known: np.ndarray,
    settings: PatchMatchSettings,
    seed: int,
    cancel: threading.Event | None,
    report: FillProgress,
) -> np.ndarray:
    height, width = known.shape
    working = patchmatch_fill.working_image(canvas, known, settings.working_pixels)
    if not working.known.any():  # the source is smaller than one working pixel
        return push_pull_fill(canvas, known)
    report(0.1)
    _check(cancel)

    def between_phases(done: float) -> None:
        _check(cancel)
        report(0.1 + 0.6 * done)

    small = patchmatch_fill.inpaint(
        working.canvas, working.known, settings, seed, between_phases=between_phases
    )
    report(0.7)
    _check(cancel)
    generated = patchmatch_fill.upscale(small, (width, height))
    generated = restore_detail(generated, canvas, known, working.scale, seed)
    report(0.85)
    _check(cancel)
    generated = match_edge(generated, canvas, known)
    generated = match_joints(generated, known, side_edges(working.known, width))
    result = np.clip(np.rint(generated), 0, 255).astype(np.uint8)
    result[known] = canvas[known]
    return result
