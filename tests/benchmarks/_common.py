"""Shared bits for the benchmark scripts: timing, the simulator process, sample photos."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
OUT = ROOT / "bench-out"
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

PHOTO_DIRS = [Path("/usr/share/backgrounds/mate/nature"), Path("/usr/share/backgrounds/mate")]


def cli_env(**variables: str) -> dict[str, str]:
    """The environment for running the app from this checkout in a subprocess.

    Bytecode caching is left on, whatever the caller's environment says: an installed app runs
    from compiled bytecode (pip compiles it at install), as its dependencies here do.
    """
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env = {**os.environ, "PYTHONPATH": path, **variables}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def median_seconds(work: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@contextmanager
def simulator(*options: str) -> Iterator[str]:
    """Run tests/bfl_sim.py in its own process; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, str(TESTS / "bfl_sim.py"), *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def large_photo(min_pixels: int = 15_000_000) -> Path | None:
    """A real photo of at least ``min_pixels`` from mate-backgrounds, when installed."""
    from PIL import Image

    for folder in PHOTO_DIRS:
        for path in sorted(folder.rglob("*.jpg")) if folder.exists() else []:
            with Image.open(path) as image:
                if image.width * image.height >= min_pixels:
                    return path
    return None


ELEPHANTS = Path("/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg")  # 17.9 MP


def gui_photo(name: str) -> Path | None:
    """Set up an offscreen editor run in a fresh home; the photo to open: the command line's,
    else Elephants, else any >= 15 MP photo (None, with a message, when there is none)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["OUTPAINT_STUDIO_HOME"] = tempfile.mkdtemp(prefix=f"bench-{name}-")
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    path = ELEPHANTS if ELEPHANTS.exists() else large_photo()
    if path is None:
        print("no >= 15 MP photo found: apt-get install mate-backgrounds, or pass a path")
    return path


def report(name: str, ours: float, baseline: float, target: float) -> bool:
    ratio = ours / baseline
    verdict = "OK" if ratio <= target else "OVER TARGET"
    print(f"{name}: {ours:.3f} s vs baseline {baseline:.3f} s = {ratio:.2f}x "
          f"(target <= {target}x) {verdict}")  # fmt: skip
    return ratio <= target
