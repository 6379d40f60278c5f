"""Shared fixtures: an isolated app home, sample images and the BFL simulator."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

API_KEY = "test-key-5f1c0ffee"

# CI replays the same examples every run, so a landing is never decided by a fresh draw; a
# developer's run keeps exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def image_size(path: object) -> tuple[int, int]:
    with Image.open(path) as image:  # type: ignore[arg-type]
        return image.size


def image_array(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes under its own OUTPAINT_STUDIO_HOME, with no key unless it sets one."""
    home = tmp_path / "home"
    monkeypatch.setenv("OUTPAINT_STUDIO_HOME", str(home))
    monkeypatch.delenv("BFL_API_KEY", raising=False)
    monkeypatch.delenv("OUTPAINT_STUDIO_API_URL", raising=False)
    return home


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


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    photo_like(320, 240).save(path)
    return path


@pytest.fixture
def sim() -> Iterator[object]:
    from bfl_sim import BflSimulator

    with BflSimulator(api_key=API_KEY, finish_after=0.3) as simulator:
        yield simulator


@pytest.fixture
def keyed_env(sim: object, monkeypatch: pytest.MonkeyPatch) -> object:
    """The key and API base pointing at the simulator, as a user's environment would."""
    monkeypatch.setenv("BFL_API_KEY", API_KEY)
    monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", sim.base_url)  # type: ignore[attr-defined]
    return sim
