"""Shared fixtures: an isolated app home, sample images and the BFL simulator."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from photos import API_KEY, photo_like

# CI replays the same examples every run, so a landing is never decided by a fresh draw; a
# developer's run keeps exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes under its own OUTPAINT_STUDIO_HOME, with no key unless it sets one."""
    home = tmp_path / "home"
    monkeypatch.setenv("OUTPAINT_STUDIO_HOME", str(home))
    monkeypatch.delenv("BFL_API_KEY", raising=False)
    monkeypatch.delenv("OUTPAINT_STUDIO_API_URL", raising=False)
    return home


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
