"""Putting the original back: the service re-draws the source region, we restore its pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from outpaint_studio.core.images import resize
from outpaint_studio.core.layout import Placement

MAX_FEATHER = 16


@dataclass(frozen=True)
class SourceChange:
    """How much the engine altered the source region (0..255 per channel)."""

    mean: float
    max: int


def measure_change(result: Image.Image, placed: Image.Image, placement: Placement) -> SourceChange:
    box = placement.visible_box()
    if box.is_empty():
        return SourceChange(0.0, 0)
    crop = placement.crop_box()
    ours = np.asarray(placed.convert("RGB").crop(crop.as_tuple()), dtype=np.int16)
    theirs = np.asarray(result.convert("RGB").crop(box.as_tuple()), dtype=np.int16)
    diff = np.abs(ours - theirs)
    return SourceChange(round(float(diff.mean()), 3), int(diff.max()))


def feather_weights(width: int, height: int, feather: int, edges: tuple[bool, ...]) -> np.ndarray:
    """Weight of the original, 1 inside and ramping to 0 over ``feather`` px at each open edge.

    ``edges`` says, for left, top, right, bottom, whether that edge of the pasted region borders
    generated pixels (an edge on the canvas border needs no blending).
    """
    weights = np.ones((height, width), dtype=np.float32)
    if feather <= 0:
        return weights
    ramp_x = np.ones(width, dtype=np.float32)
    ramp_y = np.ones(height, dtype=np.float32)
    steps = (np.arange(feather, dtype=np.float32) + 1) / (feather + 1)
    left, top, right, bottom = edges
    n = min(feather, width)
    if left:
        ramp_x[:n] = np.minimum(ramp_x[:n], steps[:n])
    if right:
        ramp_x[width - n :] = np.minimum(ramp_x[width - n :], steps[:n][::-1])
    n = min(feather, height)
    if top:
        ramp_y[:n] = np.minimum(ramp_y[:n], steps[:n])
    if bottom:
        ramp_y[height - n :] = np.minimum(ramp_y[height - n :], steps[:n][::-1])
    return np.minimum(ramp_x[None, :], ramp_y[:, None])


def paste_back(
    result: Image.Image, placed: Image.Image, placement: Placement, feather: int = 8
) -> Image.Image:
    """``result`` with the source's own pixels restored where it sits on the canvas.

    Outside a ``feather`` px band along the source's inner edge the source comes back exactly;
    inside the band it is blended with the result so the seam cannot show. Transparent source
    pixels keep the result.
    """
    feather = max(0, min(MAX_FEATHER, feather))
    box = placement.visible_box()
    out = result.convert("RGB")
    if box.is_empty():
        return out
    source = placed.crop(placement.crop_box().as_tuple())
    edges = (
        box.left > 0,
        box.top > 0,
        box.right < placement.canvas_width,
        box.bottom < placement.canvas_height,
    )
    weights = feather_weights(box.width, box.height, feather, edges)
    if source.mode == "RGBA":
        weights = weights * (np.asarray(source.getchannel("A"), dtype=np.float32) / 255.0)
        source = source.convert("RGB")
    if feather == 0 and source.mode == "RGB" and placed.mode == "RGB":
        out.paste(source, box.as_tuple()[:2])
        return out
    ours = np.asarray(source, dtype=np.float32)
    theirs = np.asarray(out.crop(box.as_tuple()), dtype=np.float32)
    blended = theirs + (ours - theirs) * weights[..., None]
    exact = weights >= 1.0
    patch = np.where(exact[..., None], ours, np.rint(blended)).astype(np.uint8)
    out.paste(Image.fromarray(patch, "RGB"), box.as_tuple()[:2])
    return out


def full_resolution(
    result: Image.Image,
    original: Image.Image,
    placement: Placement,
    scale: float,
    feather: int = 8,
) -> Image.Image:
    """The result upscaled by 1/scale with the full-resolution original pasted at its place."""
    if scale >= 1.0:
        return paste_back(result, original, placement, feather)
    big_size = (round(placement.canvas_width / scale), round(placement.canvas_height / scale))
    upscaled = resize(result.convert("RGB"), big_size)
    big_placement = Placement(
        original.width,
        original.height,
        big_size[0],
        big_size[1],
        round(placement.x / scale),
        round(placement.y / scale),
    )
    return paste_back(upscaled, original, big_placement, round(feather / scale))
