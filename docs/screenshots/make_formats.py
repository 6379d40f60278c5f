"""Make formats.png for the README: a photo extended to five formats, the contact sheet open.

Run: QT_QPA_PLATFORM=offscreen python docs/screenshots/make_formats.py [PHOTO]
(offline engine, a fresh app home; the default photo is from mate-backgrounds).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
PHOTO = Path("/usr/share/backgrounds/mate/nature/Dune.jpg")
TARGETS = ["1:1", "4:5", "9:16", "16:9", "3:1"]


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="formats-shot-"))
    os.environ["OUTPAINT_STUDIO_HOME"] = str(home / "home")
    photo = home / "dune.jpg"
    with Image.open(sys.argv[1] if len(sys.argv) > 1 else PHOTO) as image:
        image.thumbnail((480, 480))
        image.convert("RGB").save(photo, quality=92)
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from outpaint_studio.ui import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1440, 960)
    window.show()
    window.model.set_options(engine="local")
    window.open_image(photo)
    wait(app, lambda: window.source is not None)
    formats = window.formats
    formats.dock.show()
    for label in TARGETS:  # ticked as a click on the check box does
        formats.dock.item(label).setCheckState(Qt.CheckState.Checked)
    formats.extend_all()
    wait(app, lambda: not formats.run.is_running(), timeout=600)
    formats.sheet.list.setCurrentRow(1)
    wait(app, lambda: False, timeout=0.5, quiet=True)
    window.grab().save(str(HERE / "formats.png"))
    window.close()
    return 0


def wait(app: object, condition: object, timeout: float = 60, quiet: bool = False) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            if quiet:
                return
            raise TimeoutError("the editor did not finish in time")
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(main())
