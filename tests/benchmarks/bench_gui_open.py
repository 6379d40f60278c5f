"""Opening a >= 15 MP JPEG in the editor until the source is on the canvas, against Pillow's
full decode of the same file (measured in the same run, medians).

The editor shows a reduced preview first (progressive JPEGs: the first scans only; baseline
ones: a draft-scaled decode) while the full image loads in the background.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from _common import gui_photo, report


def main() -> int:
    path = gui_photo("gui-open")
    if path is None:
        return 1
    from PIL import Image
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from outpaint_studio.ui import MainWindow

    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    app.processEvents()

    def open_once() -> float:
        shown: list[float] = []

        def on_preview() -> None:  # connected after the window's own slot: runs after it
            window.canvas.viewport().repaint()  # the source painted on the canvas
            shown.append(time.perf_counter())
            QTimer.singleShot(0, lambda: app.exit(0))  # exit(), not quit(): that closes windows

        window.loader.preview.connect(on_preview)
        started = time.perf_counter()
        window.open_image(path)
        app.exec()
        window.loader.preview.disconnect(on_preview)
        assert window.canvas.source_item.isVisible()
        elapsed = shown[0] - started
        while window.loader.busy():  # let the full decode finish before the next round
            app.processEvents()
            time.sleep(0.01)
        return elapsed

    def pillow_once() -> float:
        started = time.perf_counter()
        with Image.open(path) as image:
            image.load()
        return time.perf_counter() - started

    with Image.open(path) as image:
        print(f"{path.name}: {image.width}x{image.height}, "
              f"progressive={bool(image.info.get('progressive'))}")  # fmt: skip
    ours, pillow = [], []
    for _ in range(5):
        pillow.append(pillow_once())
        ours.append(open_once())
    window.close()
    print(f"editor: {' '.join(f'{t:.3f}' for t in ours)}")
    print(f"pillow: {' '.join(f'{t:.3f}' for t in pillow)}")
    ok = report("open until on the canvas", statistics.median(ours), statistics.median(pillow),
                0.35)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: PySide6 6.12 can crash in its final GC
