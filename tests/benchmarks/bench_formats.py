"""Formats in the editor: one Extend, then Extend all on five targets (1:1, 4:5, 9:16, 16:9,
1080x1920) of the same photo, against a simulator (its own process) taking 2 s a job.
Target: five formats in at most 1.3x the wall time of one job. Prints the peak memory.

The photo (a mate photo reduced to a 1600 px long side, or the command line's) is one a social
post starts from: with a 15 MP original, saving five full-resolution PNGs on two cores takes
longer than the service does, and the figure would measure the encoder.

Run: python tests/benchmarks/bench_formats.py [PHOTO]
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

from _common import gui_photo, report, simulator
from PIL import Image

FINISH_AFTER = 2.0
LONG_SIDE = 1600
TARGETS = ["1:1", "4:5", "9:16", "16:9"]
CUSTOM = "1080x1920"


def main() -> int:
    original = gui_photo("formats")
    if original is None:
        return 1
    photo = Path(os.environ["OUTPAINT_STUDIO_HOME"]) / f"{original.stem}-1600.jpg"
    with Image.open(original) as image:
        image.thumbnail((LONG_SIDE, LONG_SIDE))
        image.convert("RGB").save(photo, quality=92)
    from PySide6.QtWidgets import QApplication

    from outpaint_studio.ui import MainWindow

    app = QApplication.instance() or QApplication([])
    with simulator("--finish-after", str(FINISH_AFTER), "--api-key", "bench") as base:
        os.environ.update(BFL_API_KEY="bench", OUTPAINT_STUDIO_API_URL=base)
        window = MainWindow()
        window.model.set_options(engine="bfl")
        window.open_image(photo)
        wait(app, lambda: window.source is not None)
        started = time.perf_counter()
        window.extend()
        wait(app, lambda: not window.jobs.is_running())
        one_job = time.perf_counter() - started
        formats = window.formats
        for label in TARGETS:
            formats.formats = formats.formats.with_ticked(label, True)
        formats.add_custom(CUSTOM)
        started = time.perf_counter()
        formats.extend_all()
        wait(app, lambda: not formats.run.is_running())
        five = time.perf_counter() - started
        done = [t.status for t in formats.sheet.tiles.values()]
        window.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{photo.name}: one job {one_job:.2f} s; five formats {five:.2f} s ({done}); "
          f"peak memory {peak_mb:.0f} MB")  # fmt: skip
    ok = report("five formats vs one job", five, one_job, 1.3)
    return 0 if ok and done == ["Done"] * 5 else 1


def wait(app: object, condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the editor did not finish in time")
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(main())
