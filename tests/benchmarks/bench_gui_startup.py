"""Start-up to the first painted editor window against a bare PySide6 QMainWindow.

Each run is a fresh process (QT_QPA_PLATFORM=offscreen), timed from just before it is spawned
until its main window has received its first paint event and that frame is done; the editor
runs through the real entry point (``outpaint_studio.app.main``). Medians of several runs.
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
    def eventFilter(self, obj, event):
        if (not self.seen and event.type() == QEvent.Type.Paint
                and isinstance(obj, QMainWindow)):
            self.seen = True
            QTimer.singleShot(0, self.done)  # after the whole first frame
        return False
    def done(self):
        print(f"{time.time() - t0:.6f}", flush=True)
        app.quit()

watcher = FirstPaint()
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


def one_run(mode: str, home: str) -> float:
    env = cli_env(QT_QPA_PLATFORM="offscreen", OUTPAINT_STUDIO_HOME=home)
    env.pop("BFL_API_KEY", None)
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, repr(started)],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    with tempfile.TemporaryDirectory() as home:
        one_run("app", home)  # warm the file cache and write the first settings
        one_run("bare", home)
        bare, app = [], []
        for _ in range(runs):  # interleaved, so drifting load hits both alike
            bare.append(one_run("bare", home))
            app.append(one_run("app", home))
    print(f"bare runs: {' '.join(f'{t:.3f}' for t in bare)}")
    print(f"app runs:  {' '.join(f'{t:.3f}' for t in app)}")
    ok = report("start-up to first paint", statistics.median(app), statistics.median(bare), 1.3)
    return 0 if ok else 1


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
