"""The history panel with 500 results: time to open it, and the process's memory after
scrolling through every row (each thumbnail decoded once, at most a bounded number kept).

Targets: open (journal read + list shown with the visible thumbnails requested) <= 0.3 s;
resident memory after the scroll < 200 MB. Reading the journal alone is printed for scale.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

COUNT = 500
OPEN_TARGET_S = 0.3
MEMORY_TARGET_MB = 200


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_history(count: int) -> None:
    import numpy as np
    from PIL import Image

    from outpaint_studio.core.jobs import JobParams, JobRecord, JobState, Journal
    from outpaint_studio.core.settings import history_dir, journal_dir

    folder = history_dir()
    folder.mkdir(parents=True, exist_ok=True)
    journal = Journal(journal_dir())
    rng = np.random.default_rng(1)
    base = rng.integers(0, 255, (768, 1024, 3), dtype=np.uint8)
    for i in range(count):
        path = folder / f"result-{i:04d}.jpg"
        Image.fromarray(np.roll(base, i * 7, axis=1)).save(path, quality=85)
        params = JobParams(input=f"/photos/p{i}.jpg", width=1024, height=768, engine="bfl",
                           prompt=f"result {i}", output_format="jpeg")  # fmt: skip
        journal.save(JobRecord(params=params, state=JobState.SAVED, output_path=str(path),
                               history_path=str(path), cost=0.05 * (i % 3 + 1),
                               job_id=f"job-{i}", created_at=time.time() - i))  # fmt: skip


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["OUTPAINT_STUDIO_HOME"] = tempfile.mkdtemp(prefix="bench-gui-history-")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    make_history(COUNT)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from outpaint_studio.core.jobs import Journal
    from outpaint_studio.core.settings import journal_dir

    started = time.perf_counter()
    Journal(journal_dir()).records()
    journal_only = time.perf_counter() - started

    app = QApplication([])
    from outpaint_studio.ui import MainWindow

    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    panel = window.history
    started = time.perf_counter()
    panel.reload()
    panel.view.viewport().repaint()  # the visible rows painted, their thumbnails requested
    opened = time.perf_counter() - started
    assert panel.model.rowCount() == COUNT

    rows = iter(range(0, COUNT, 4))

    def scroll_step() -> None:  # down the whole list, a few rows at a time, as a user would
        row = next(rows, None)
        if row is None:
            QTimer.singleShot(500, lambda: app.exit(0))  # the last thumbnails arrive
            return
        panel.view.scrollTo(panel.model.index(row))
        QTimer.singleShot(10, scroll_step)

    QTimer.singleShot(0, scroll_step)
    app.exec()
    memory = rss_mb()
    kept = panel.model.cached_thumbnails()
    decoded = panel.model.decoded
    window.close()
    print(f"{COUNT} results; journal read alone {journal_only:.3f} s")
    ok_open = opened <= OPEN_TARGET_S
    ok_memory = memory < MEMORY_TARGET_MB
    print(f"history open: {opened:.3f} s (target <= {OPEN_TARGET_S} s) "
          f"{'OK' if ok_open else 'OVER TARGET'}")  # fmt: skip
    print(f"memory after scrolling all rows: {memory:.0f} MB, {decoded} thumbnails decoded, "
          f"{kept} kept (target < {MEMORY_TARGET_MB} MB) "
          f"{'OK' if ok_memory else 'OVER TARGET'}")  # fmt: skip
    return 0 if ok_open and ok_memory else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: PySide6 6.12 can crash in its final GC
