"""The first photo after start: from the open request to the preview on the canvas, against
Pillow's own ``draft`` decode of the same file at the view's scale, each run a fresh process.

The editor's run starts the window as ``outpaint-studio PHOTO`` does (``MainWindow(staged=True)``,
the photo opened once the editor is ready) and times from ``open_image`` until the preview is
painted on the canvas. Pillow's run times ``import PIL``, open, ``draft`` to the size that fits
the photo in the editor's canvas view (as measured by the editor's run), load, and conversion to
RGBA (what the canvas shows). Inputs, made once in bench-out/ from a mate-backgrounds photo: a
20 MP baseline JPEG, the same as a progressive JPEG, and a 12 MP PNG.
Usage: python tests/benchmarks/bench_first_photo.py [RUNS]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import OUT, PHOTO_DIRS, cli_env, report

TARGET = 1.5

EDITOR = r"""
import json, os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
from outpaint_studio.ui.main_window import MainWindow

window = MainWindow(staged=True)
marks = {}

def on_preview():  # connected after the window's own slot: runs after it
    window.canvas.viewport().repaint()  # the preview painted on the canvas
    marks["shown"] = time.perf_counter()
    pixmap = window.canvas.source_item.pixmap()
    view = window.canvas.viewport().size() * window.canvas.devicePixelRatioF()
    print(json.dumps({"seconds": marks["shown"] - marks["asked"],
                      "view": [view.width(), view.height()],
                      "preview": [pixmap.width(), pixmap.height()]}), flush=True)
    os._exit(0)  # skip teardown: the full decode still runs

def when_ready():
    window.loader.preview.connect(on_preview)
    window.loader.failed.connect(lambda message: (print(message, flush=True), os._exit(1)))
    marks["asked"] = time.perf_counter()
    window.open_image(sys.argv[1])

window.ready.connect(when_ready)
window.show()
app.exec()
"""

PILLOW = r"""
import json, sys, time
started = time.perf_counter()
from PIL import Image
view = (int(sys.argv[2]), int(sys.argv[3]))
with Image.open(sys.argv[1]) as image:
    fit = min(view[0] / image.width, view[1] / image.height, 1.0)
    image.draft("RGB", (round(image.width * fit), round(image.height * fit)))
    image.load()
    shown = image.convert("RGBA")
print(json.dumps({"seconds": time.perf_counter() - started, "size": list(shown.size)}))
"""


def inputs() -> dict[str, Path]:
    """The three test files, made once: noise keeps the upscaled photo as costly to decode as a
    camera's (about 5 MB for the 20 MP JPEG)."""
    from PIL import Image

    OUT.mkdir(exist_ok=True)
    made = {  # name: (file, size, progressive)
        "baseline JPEG 6000x3400": (OUT / "first-photo-baseline.jpg", (6000, 3400), False),
        "progressive JPEG 6000x3400": (OUT / "first-photo-progressive.jpg", (6000, 3400), True),
        "PNG 4000x3000": (OUT / "first-photo-large.png", (4000, 3000), False),
    }
    photos = sorted(p for folder in PHOTO_DIRS if folder.exists() for p in folder.glob("*.jpg"))
    for path, size, progressive in made.values():
        if path.exists():
            continue
        with Image.open(photos[0]) as photo:
            base = photo.convert("RGB").resize(size, Image.Resampling.BICUBIC)
        noisy = Image.blend(base, Image.effect_noise(size, 40).convert("RGB"), 0.1)
        noisy.save(path, quality=92, progressive=progressive)
    return {name: path for name, (path, _, _) in made.items()}


def run(script: str, *args: str) -> dict[str, object]:
    home = tempfile.mkdtemp(prefix="bench-first-photo-")
    env = cli_env(QT_QPA_PLATFORM="offscreen", OUTPAINT_STUDIO_HOME=home)
    env.pop("BFL_API_KEY", None)
    out = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True,
                         text=True, timeout=120, check=True)  # fmt: skip
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def case(name: str, path: Path, runs: int) -> bool:
    """Editor and Pillow runs interleaved (the machine's load drifts); medians."""
    run(EDITOR, str(path))  # warm the file cache and the bytecode
    ours, pillow = [], []
    for _ in range(runs):
        editor = run(EDITOR, str(path))
        view = editor["view"]
        assert isinstance(view, list)
        baseline = run(PILLOW, str(path), str(view[0]), str(view[1]))
        ours.append(float(editor["seconds"]))  # type: ignore[arg-type]
        pillow.append(float(baseline["seconds"]))  # type: ignore[arg-type]
    print(f"{name}: view {view}, preview {editor['preview']}, Pillow's {baseline['size']}")
    print(f"  editor: {' '.join(f'{t:.3f}' for t in ours)}")
    print(f"  pillow: {' '.join(f'{t:.3f}' for t in pillow)}")
    return report(f"{name}: open to preview on the canvas", statistics.median(ours),
                  statistics.median(pillow), TARGET)  # fmt: skip


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    print(f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results = [case(name, path, runs) for name, path in inputs().items()]
    print(f"load {os.getloadavg()[0]:.1f} at the end")
    return 0 if all(results) else 1


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
