"""Scores for an outpainted band against the photo it was cut from (no model weights needed).

- texture: sliced Wasserstein distance between 7x7 patch distributions over a Laplacian pyramid
  (Karras et al. 2018, "Progressive Growing of GANs"), averaged over levels; lower is better;
- sharpness: the band's mean gradient energy over that of the source's own band next to it, as
  deep as the fill (1 is ideal; the hidden truth is not consulted);
- seam: mean gradient energy on a thin ring around the source's edge over the truth's;
- blurred PSNR: PSNR of blurred copies over the band (layout and colour, not texture).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

PATCH = 7
LEVELS = 4
PATCHES_PER_LEVEL = 4096
DIRECTIONS = 256


def _to_float(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32) / 255.0


def _blur(image: np.ndarray, radius: float) -> np.ndarray:
    """Gaussian blur of a float HxWx3 image in 0..1."""
    as_uint16 = np.clip(image * 255.0, 0, 255).astype(np.uint8)
    blurred = Image.fromarray(as_uint16).filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(blurred, dtype=np.float32) / 255.0


def _downsample(values: np.ndarray) -> np.ndarray:
    height, width = values.shape[0] // 2 * 2, values.shape[1] // 2 * 2
    trimmed = values[:height, :width]
    return trimmed.reshape(height // 2, 2, width // 2, 2, *values.shape[2:]).mean(axis=(1, 3))


def _upsample(values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    repeated = values.repeat(2, axis=0).repeat(2, axis=1)
    padded = np.pad(
        repeated,
        ((0, max(0, shape[0] - repeated.shape[0])), (0, max(0, shape[1] - repeated.shape[1])))
        + ((0, 0),) * (values.ndim - 2),
        mode="edge",
    )
    return padded[: shape[0], : shape[1]]


def laplacian_pyramid(
    image: np.ndarray, mask: np.ndarray, levels: int = LEVELS
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(band-pass image, mask) per level; the mask shrinks with the image."""
    pyramid = []
    current, current_mask = image, mask
    for _ in range(levels - 1):
        smaller = _downsample(current)
        smaller_mask = _downsample(current_mask.astype(np.float32)) > 0.99
        pyramid.append((current - _upsample(smaller, current.shape[:2]), current_mask))
        current, current_mask = smaller, smaller_mask
    pyramid.append((current, current_mask))
    return pyramid


def _patches(level: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Up to PATCHES_PER_LEVEL flattened 7x7 patches lying wholly inside ``mask``."""
    half = PATCH // 2
    inside = mask.copy()
    inside[:half] = inside[-half:] = False
    inside[:, :half] = inside[:, -half:] = False
    eroded = inside.copy()
    for dy in range(-half, half + 1):
        for dx in range(-half, half + 1):
            eroded &= np.roll(mask, (dy, dx), axis=(0, 1))
    ys, xs = np.nonzero(eroded)
    if len(ys) == 0:
        return np.zeros((0, PATCH * PATCH * level.shape[2]), dtype=np.float32)
    pick = rng.choice(len(ys), size=min(PATCHES_PER_LEVEL, len(ys)), replace=False)
    offsets = np.arange(-half, half + 1)
    rows = ys[pick][:, None, None] + offsets[None, :, None]
    columns = xs[pick][:, None, None] + offsets[None, None, :]
    return level[rows, columns].reshape(len(pick), -1)


def _sliced_wasserstein(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> float:
    directions = rng.standard_normal((a.shape[1], DIRECTIONS)).astype(np.float32)
    directions /= np.linalg.norm(directions, axis=0, keepdims=True)
    quantiles = np.linspace(0.0, 1.0, 256)
    projected_a = np.quantile(a @ directions, quantiles, axis=0)
    projected_b = np.quantile(b @ directions, quantiles, axis=0)
    return float(np.abs(projected_a - projected_b).mean())


def texture_distance(result: np.ndarray, truth: np.ndarray, band: np.ndarray) -> float:
    """Sliced Wasserstein distance (x1000) between the band's patches in result and truth."""
    rng = np.random.default_rng(0)
    distances = []
    pyramid_result = laplacian_pyramid(_to_float(result), band)
    pyramid_truth = laplacian_pyramid(_to_float(truth), band)
    for (level_r, mask), (level_t, _) in zip(pyramid_result, pyramid_truth, strict=True):
        patches_t = _patches(level_t, mask, rng)
        if len(patches_t) < 16:
            continue
        patches_r = _patches(level_r, mask, np.random.default_rng(1))
        # normalise with the truth's statistics so every level counts alike
        mean = patches_t.mean(axis=0)
        std = patches_t.std() + 1e-6
        distances.append(
            _sliced_wasserstein((patches_r - mean) / std, (patches_t - mean) / std, rng)
        )
    return 1000.0 * float(np.mean(distances)) if distances else float("nan")


def gradient_energy(image: np.ndarray, where: np.ndarray) -> float:
    values = _to_float(image)
    dx = np.zeros_like(values)
    dy = np.zeros_like(values)
    dx[:, :-1] = values[:, 1:] - values[:, :-1]
    dy[:-1] = values[1:] - values[:-1]
    energy = (dx**2 + dy**2).sum(axis=2)
    return float(energy[where].mean())


def fill_depth(known: np.ndarray) -> int:
    """The generated band's mean depth: its area over the length of the source's edge."""
    unknown = ~known
    edge = int((_grow(unknown) & known).sum())
    return max(1, round(int(unknown.sum()) / max(edge, 1)))


def source_band(known: np.ndarray) -> np.ndarray:
    """The known pixels within the fill's mean depth of it: what the fill continues."""
    near = ~known
    for _ in range(fill_depth(known)):
        near = _grow(near)
    return near & known


def _grow(mask: np.ndarray) -> np.ndarray:
    """``mask`` grown by one pixel to its four neighbours."""
    grown = mask.copy()
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    return grown


def sharpness_ratio(result: np.ndarray, known: np.ndarray) -> float:
    """The fill's gradient energy over that of the source band next to it (from ``result``,
    whose known pixels are the source's)."""
    return gradient_energy(result, ~known) / max(gradient_energy(result, source_band(known)), 1e-12)


def seam_ring(known: np.ndarray, width: int = 2) -> np.ndarray:
    """Pixels within ``width`` px of the border between known and generated pixels."""
    edge = np.zeros_like(known)
    edge[:, :-1] |= known[:, :-1] != known[:, 1:]
    edge[:-1] |= known[:-1] != known[1:]
    ring = edge
    for _ in range(width):
        ring = _grow(ring)
    return ring


def seam_ratio(result: np.ndarray, truth: np.ndarray, known: np.ndarray) -> float:
    ring = seam_ring(known)
    return gradient_energy(result, ring) / max(gradient_energy(truth, ring), 1e-12)


def blurred_psnr(result: np.ndarray, truth: np.ndarray, band: np.ndarray) -> float:
    blurred_result = _blur(_to_float(result), 4.0)
    blurred_truth = _blur(_to_float(truth), 4.0)
    mse = float(((blurred_result - blurred_truth) ** 2)[band].mean())
    return 10.0 * np.log10(1.0 / max(mse, 1e-12))
