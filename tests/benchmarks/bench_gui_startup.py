"""Start-up to the first painted editor window against a bare PySide6 QMainWindow.

Each run is a fresh process (QT_QPA_PLATFORM=offscreen), timed from just before it is spawned
until its main window has received its first paint event and that frame is done; the editor
runs through the real entry point (``outpaint_studio.app.main``). Medians of several runs.

The editor's start-up is staged (see ``ui/main_window.py``): the first paint shows the empty
window, and the editor is built right after it. So the editor's runs also report when the canvas
view first paints, the time until the editor can be used; that figure has no target.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from _common import cli_env, report

CHILD = r"""
import sys, time
t0 = float(sys.argv[2])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])

class FirstPaint(QObject):
    seen = False
    def __init__(self, wait_for_canvas):
        super().__init__()
        self.wait_for_canvas = wait_for_canvas
    def eventFilter(self, obj, event):
        if event.type() != QEvent.Type.Paint:
            return False
        if not self.seen and isinstance(obj, QMainWindow):
            self.seen = True
            QTimer.singleShot(0, self.window_painted)  # after the whole first frame
        elif self.wait_for_canvas and obj.parent() and obj.parent().objectName() == "canvasView":
            self.wait_for_canvas = False
            QTimer.singleShot(0, self.canvas_painted)  # its viewport: the canvas is drawn
        return False
    def window_painted(self):
        print(f"window {time.time() - t0:.6f}", flush=True)
        if not self.wait_for_canvas:
            app.quit()
    def canvas_painted(self):
        print(f"canvas {time.time() - t0:.6f}", flush=True)
        app.quit()

watcher = FirstPaint(wait_for_canvas=sys.argv[1] == "app")
app.installEventFilter(watcher)
if sys.argv[1] == "bare":
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    app.exec()
else:
    from outpaint_studio.app import main
    main([])
"""


def one_run(mode: str, home: str) -> dict[str, float]:
    """Seconds from spawning the process to its first painted window (and canvas, for the app)."""
    env = cli_env(QT_QPA_PLATFORM="offscreen", OUTPAINT_STUDIO_HOME=home)
    env.pop("BFL_API_KEY", None)
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, repr(started)],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    marks = (line.split() for line in out.stdout.splitlines())
    return {mark[0]: float(mark[1]) for mark in marks if len(mark) == 2}


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    with tempfile.TemporaryDirectory() as home:
        one_run("app", home)  # warm the file cache and write the first settings
        one_run("bare", home)
        bare, app, ready = [], [], []
        for _ in range(runs):  # interleaved, so drifting load hits both alike
            bare.append(one_run("bare", home)["window"])
            marks = one_run("app", home)
            app.append(marks["window"])
            ready.append(marks["canvas"])
    print(f"bare runs:   {' '.join(f'{t:.3f}' for t in bare)}")
    print(f"app runs:    {' '.join(f'{t:.3f}' for t in app)}")
    print(f"editor ready: {' '.join(f'{t:.3f}' for t in ready)}")
    ok = report("start-up to first paint", statistics.median(app), statistics.median(bare), 1.3)
    print(
        f"editor ready (canvas painted): median {statistics.median(ready):.3f} s, "
        f"{statistics.median(ready) / statistics.median(bare):.2f}x the bare window (no target)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
