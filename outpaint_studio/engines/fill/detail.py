"""Giving an upscaled fill back the crispness the source has.

Upscaling a working-size fill softens it. The same softening happened to the source's pixels in
the working image, so the source calibrates the cure: the fine detail (the image minus a blurred
copy) is amplified by the gain that gives the upscaled source the gradient energy of the original,
and that gain is applied to the generated pixels.
"""

from __future__ import annotations

import numpy as np

from outpaint_studio.engines.fill.resample import dilate

_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0], dtype=np.float32) / 16.0
MIN_GAIN = 0.5
MAX_GAIN = 3.0


def blur(image: np.ndarray) -> np.ndarray:
    """A separable 5-tap binomial blur with edge replication."""
    result = image
    for axis in (0, 1):
        pad = [(0, 0)] * image.ndim
        pad[axis] = (2, 2)
        padded = np.pad(result, pad, mode="edge")
        length = image.shape[axis]
        window = [slice(None)] * image.ndim
        total = np.zeros(image.shape, dtype=np.float32)
        for k, weight in enumerate(_BINOMIAL):
            window[axis] = slice(k, k + length)
            total += weight * padded[tuple(window)]
        result = total
    return np.asarray(result, dtype=np.float32)


def _gradients(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dx = np.zeros_like(image)
    dy = np.zeros_like(image)
    dx[:, :-1] = image[:, 1:] - image[:, :-1]
    dy[:-1] = image[1:] - image[:-1]
    return dx, dy


def _energy_terms(
    soft: np.ndarray, detail: np.ndarray, where: np.ndarray
) -> tuple[float, float, float]:
    """Coefficients of the gradient energy of ``soft + gain * detail`` as a quadratic in gain."""
    sx, sy = _gradients(soft)
    hx, hy = _gradients(detail)
    constant = float((sx[where] ** 2).sum() + (sy[where] ** 2).sum())
    linear = float(2 * ((sx[where] * hx[where]).sum() + (sy[where] * hy[where]).sum()))
    quadratic = float((hx[where] ** 2).sum() + (hy[where] ** 2).sum())
    return constant, linear, quadratic


def detail_gain(soft: np.ndarray, detail: np.ndarray, target: float, where: np.ndarray) -> float:
    """The gain g for which ``soft + g * detail`` has mean gradient energy ``target`` over
    ``where`` (1 when no gain in range reaches it)."""
    count = max(int(where.sum()), 1)
    constant, linear, quadratic = (t / count for t in _energy_terms(soft, detail, where))
    if quadratic <= 0:
        return 1.0
    # the larger root of quadratic * g^2 + linear * g + (constant - target) = 0
    discriminant = linear**2 - 4 * quadratic * (constant - target)
    if discriminant < 0:  # even the least detailed version is too crisp
        return float(np.clip(-linear / (2 * quadratic), MIN_GAIN, MAX_GAIN))
    gain = (-linear + np.sqrt(discriminant)) / (2 * quadratic)
    return float(np.clip(gain, MIN_GAIN, MAX_GAIN))


def mean_gradient_energy(image: np.ndarray, where: np.ndarray) -> float:
    if not where.any():
        return 0.0
    dx, dy = _gradients(image.astype(np.float32))
    return float(((dx[where] ** 2).sum() + (dy[where] ** 2).sum()) / where.sum())


def restore_detail(
    generated: np.ndarray, canvas: np.ndarray, known: np.ndarray, scale: float
) -> np.ndarray:
    """Sharpen an upscaled fill by as much as the upscaled source needs to match the original.

    ``generated`` is the upscaled working image, so near the edge its known pixels are the
    source softened exactly as the fill was: the gain that restores them is applied to the fill.
    """
    hole = ~known
    if scale >= 1.0 or not hole.any():
        return generated
    calibration = known & dilate(hole, max(8, round(6 / scale)))
    # skip the edge itself, where the working image mixed known and unknown pixels
    calibration &= ~dilate(hole, max(2, round(2 / scale)))
    if not calibration.any():
        return generated
    soft = generated
    for _ in range(max(1, round(1 / scale))):
        soft = blur(soft)
    detail = generated - soft
    target = mean_gradient_energy(canvas, calibration)
    gain = max(1.0, detail_gain(soft, detail, target, calibration))
    # no extra gain right at the edge, where the working image mixed source and fill: sharpening
    # that mismatch draws a line along the seam
    ramp = edge_ramp(known, max(2, round(3 / scale)))
    local_gain = 1.0 + (gain - 1.0) * ramp[..., None]
    result = generated.copy()
    result[hole] = (soft + local_gain * detail)[hole]
    return result


def edge_ramp(known: np.ndarray, width: int, steps: int = 4) -> np.ndarray:
    """0 on known pixels, rising to 1 at ``width`` pixels from them (in ``steps`` steps)."""
    ramp = np.zeros(known.shape, dtype=np.float32)
    for step in range(1, steps + 1):
        ramp += ~dilate(known, round(width * step / steps))
    return ramp / steps
