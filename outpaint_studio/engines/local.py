"""The offline engine: outpainting on this machine, with no key and no network.

``submit`` only checks and remembers the job; ``collect`` does the work: it places the source on
the canvas and completes the rest with PatchMatch (or, when the native library cannot load, with
a smooth push-pull fill and a notice that the result is a rough preview).
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from dataclasses import dataclass

import numpy as np
from PIL import Image

from outpaint_studio.core.background import Background
from outpaint_studio.core.engine import (
    CancelledError,
    EngineResult,
    InvalidRequestError,
    ProgressCallback,
    Submission,
    TaskNotFoundError,
)
from outpaint_studio.core.layout import megapixels
from outpaint_studio.core.request import OutpaintRequest
from outpaint_studio.engines import fill as fill_module
from outpaint_studio.engines.fill import FillCancelled, Steps, fill

patchmatch_available: bool = fill_module.patchmatch_available

FALLBACK_NOTICE = "rough preview: PatchMatch is unavailable"
# how often a running fill reports its progress and checks for Cancel, in seconds
PROGRESS_INTERVAL = 0.2


@dataclass(frozen=True)
class _Job:
    request: OutpaintRequest
    source: Image.Image


def compose(request: OutpaintRequest, source: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """The canvas (HxWx3 uint8) with the source placed on it, and the mask of known pixels.

    Source pixels off the canvas are dropped; transparent source pixels (alpha 0) are unknown.
    """
    placement = request.placement()
    assert placement is not None  # submit fills in source_size
    canvas = np.zeros((request.height, request.width, 3), dtype=np.uint8)
    known = np.zeros((request.height, request.width), dtype=bool)
    visible = placement.visible_box()
    if visible.is_empty():
        return canvas, known
    has_alpha = source.mode in ("RGBA", "LA", "PA") or "transparency" in source.info
    pixels = np.asarray(source.convert("RGBA" if has_alpha else "RGB"))
    crop = placement.crop_box()
    part = pixels[crop.top : crop.bottom, crop.left : crop.right]
    rows = slice(visible.top, visible.bottom)
    columns = slice(visible.left, visible.right)
    canvas[rows, columns] = part[..., :3]
    known[rows, columns] = part[..., 3] > 0 if has_alpha else True
    return canvas, known


class LocalEngine:
    """The Engine protocol, computed in process. Safe to use from a worker thread.

    A result made without PatchMatch carries FALLBACK_NOTICE in its ``notice``.
    """

    name = "local"
    remote = False

    def __init__(self, seed: int = 0, use_patchmatch: bool | None = None) -> None:
        self.seed = seed
        self.use_patchmatch = patchmatch_available if use_patchmatch is None else use_patchmatch
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()

    def submit(
        self, request: OutpaintRequest, source: Image.Image, cancel: threading.Event
    ) -> Submission:
        if cancel.is_set():
            raise CancelledError()
        if request.source_size is None:
            request = dataclasses.replace(request, source_size=source.size)
        elif tuple(request.source_size) != source.size:
            raise InvalidRequestError(
                f"the source is {source.size[0]}x{source.size[1]} px but the request says "
                f"{request.source_size[0]}x{request.source_size[1]} px"
            )
        problems = request.problems()
        if problems:
            raise InvalidRequestError("; ".join(p.message for p in problems))
        job_id = "local-" + uuid.uuid4().hex
        source.load()
        with self._lock:
            self._jobs[job_id] = _Job(request, source.copy())
        return Submission(
            job_id=job_id,
            polling_url=None,
            cost=0.0,
            input_mp=round(megapixels(source.width * source.height), 2),
            output_mp=round(megapixels(request.width * request.height), 2),
        )

    def collect(
        self, submission: Submission, on_progress: ProgressCallback, cancel: threading.Event
    ) -> EngineResult:
        with self._lock:
            job = self._jobs.pop(submission.job_id, None)
        if job is None:
            raise TaskNotFoundError(
                f"local job {submission.job_id} is unknown: offline jobs live only in the "
                "process that submitted them; extend the image again"
            )
        if cancel.is_set():
            raise CancelledError()
        canvas, known = compose(job.request, job.source)
        steps = Steps(cancel)
        mode, use_patchmatch = job.request.mode, self.use_patchmatch
        filled = Background(
            lambda: fill(canvas, known, mode, use_patchmatch=use_patchmatch, seed=self.seed,
                         steps=steps), "offline fill"
        )  # fmt: skip
        reported = 0.0
        on_progress("generating", reported)
        while not filled.ended(PROGRESS_INTERVAL):
            if cancel.is_set():  # the fill stops at its step's end, on its own thread
                raise CancelledError()
            reported = max(reported, steps.fraction())
            on_progress("generating", reported)
        try:
            result = filled.result()
        except FillCancelled:
            raise CancelledError() from None
        on_progress("generating", 1.0)
        return EngineResult(
            image=Image.fromarray(result),
            format=job.request.output_format or "png",
            notice=None if self.use_patchmatch else FALLBACK_NOTICE,
        )
