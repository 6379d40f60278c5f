"""Test images and the test key, shared by the tests of every layer."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

API_KEY = "test-key-5f1c0ffee"


def image_size(path: object) -> tuple[int, int]:
    with Image.open(path) as image:  # type: ignore[arg-type]
        return image.size


def image_array(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def photo_like(width: int, height: int, seed: int = 1) -> Image.Image:
    """A deterministic image with structure and texture, so a wrong pixel shows."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack(
        [
            (x * 255 // max(1, width - 1)),
            (y * 255 // max(1, height - 1)),
            ((x + y) * 3) % 256,
        ],
        axis=-1,
    ).astype(np.int16)
    noise = rng.integers(-20, 21, size=base.shape)
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")


def encoded(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def make_photo(path: Path, size: tuple[int, int] = (160, 128)) -> Path:
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x * 255 // width, y * 255 // height, (x ^ y) & 255], axis=-1)
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(path)
    return path
