"""Real photos for the benchmarks, from packages that ship them; missing ones are skipped."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

MATE = Path("/usr/share/backgrounds/mate/nature")
MATE_PHOTO = MATE / "Garden.jpg"


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from skimage import data

        image: np.ndarray = getattr(data, name)()
        return image

    return load


def _sklearn(filename: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_image

        image: np.ndarray = load_sample_image(filename)
        return image

    return load


def _file(path: Path, longest_side: int | None) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        with Image.open(path) as image:
            photo = image.convert("RGB")
        if longest_side is not None:
            photo.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
        return np.asarray(photo)

    return load


SOURCES: dict[str, Callable[[], np.ndarray]] = {
    "astronaut": _skimage("astronaut"),
    "coffee": _skimage("coffee"),
    "chelsea": _skimage("chelsea"),
    "rocket": _skimage("rocket"),
    "china": _sklearn("china.jpg"),
    "flower": _sklearn("flower.jpg"),
    "garden": _file(MATE_PHOTO, 1024),
    # the streaks and dark corners of earlier fast fills showed on these
    "storm": _file(MATE / "Storm.jpg", 1024),
    "wood": _file(MATE / "Wood.jpg", 1024),
    "dune": _file(MATE / "Dune.jpg", 1024),
}

# camera-sized photos (1.3 to 4 MP canvases: the largest are shrunk to the engine's 4 MP limit),
# which the engine fills at a reduced working size
LARGE_SOURCES: dict[str, Callable[[], np.ndarray]] = {
    name.lower(): _file(MATE / f"{name}.jpg", 2304)
    for name in (
        "Dune",
        "Storm",
        "GreenMeadow",
        "Garden",
        "Aqua",
        "YellowFlower",
        "LadyBird",
        "Wood",
    )
}


def photos(only: list[str] | None = None, large: bool = False) -> Iterator[tuple[str, np.ndarray]]:
    """(name, HxWx3 uint8) for every photo (in ``only``) whose package is installed; the
    camera-sized set when ``large``."""
    for name, load in (LARGE_SOURCES if large else SOURCES).items():
        if only and name not in only:
            continue
        try:
            image = load()
        except (ImportError, OSError) as error:
            print(f"skipping {name}: {error}", file=sys.stderr)
            continue
        yield name, np.ascontiguousarray(image[..., :3])


def photo_of_size(name: str, size: tuple[int, int]) -> np.ndarray | None:
    """The mate-backgrounds photo ``name`` resized to cover ``size`` (width, height) and
    cropped to it, centred; None when it is not installed."""
    try:
        with Image.open(MATE / f"{name}.jpg") as image:
            photo = image.convert("RGB")
    except OSError as error:
        print(f"skipping {name}: {error}", file=sys.stderr)
        return None
    scale = max(size[0] / photo.width, size[1] / photo.height)
    resized = photo.resize(
        (max(size[0], round(photo.width * scale)), max(size[1], round(photo.height * scale))),
        Image.Resampling.LANCZOS,
    )
    left, top = (resized.width - size[0]) // 2, (resized.height - size[1]) // 2
    return np.asarray(resized.crop((left, top, left + size[0], top + size[1])))
