"""Entry script of the PyInstaller bundle: the same ``main`` as the ``outpaint-studio`` command.

One extra flag exists only in the bundle: ``--bundle-self-test`` checks, without a display (run it
with ``QT_QPA_PLATFORM=offscreen``) and without Python installed, that what PyInstaller collected
works: Qt starts and shows a window, the image-format and SVG icon plugins load, the app's
resources are inside, pypatchmatch's native library loads, and the editor window (once
``outpaint_studio.ui`` has one) builds and shows, so a Qt module the spec left out shows up.
It prints one JSON object and exits 0 when every check passed. packaging/build-bundle.sh runs it.
"""

from __future__ import annotations

import json
import multiprocessing
import sys

from outpaint_studio.app import main


def bundle_self_test() -> int:
    import patchmatch
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QIcon, QImage, QImageReader
    from PySide6.QtWidgets import QApplication, QMainWindow

    from outpaint_studio import APP_ID, APP_NAME, __version__, resources

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_ID)
    app.setDesktopFileName(APP_ID)
    formats = sorted(bytes(f.data()).decode() for f in QImageReader.supportedImageFormats())
    svg_icon = QIcon(str(resources.icon_path()))
    png_icon = QIcon()
    for size in resources.ICON_SIZES:
        png_icon.addFile(str(resources.icon_path(size)))
    window = QMainWindow()
    window.setWindowTitle(APP_NAME)
    window.setWindowIcon(png_icon)
    window.resize(320, 200)
    window.show()
    app.processEvents()
    shown = window.isVisible()
    window.close()
    editor = editor_self_test()
    png_sizes = [s.width() for s in png_icon.availableSizes()]
    report: dict[str, object] = {
        "version": __version__,
        "qt": qVersion(),
        "platform": app.platformName(),
        "window_shown": shown,
        "image_formats": formats,
        "svg_icon": not svg_icon.isNull() and not svg_icon.pixmap(64, 64).isNull(),
        "png_icon_sizes": png_sizes,
        "png_icon_loads": not QImage(str(resources.icon_path(48))).isNull(),
        "resources": str(resources.resources_dir()),
        "desktop_file": resources.desktop_file_path().is_file(),
        "patchmatch": bool(patchmatch.patchmatch_available),
        "editor": editor,
    }
    needed = {"png", "jpeg", "jpg", "gif", "bmp", "webp", "tiff", "svg", "ico"}
    missing = sorted(needed - set(formats))
    report["missing_formats"] = missing
    ok = (
        shown
        and report["svg_icon"]
        and report["png_icon_loads"]
        and len(png_sizes) == len(resources.ICON_SIZES)
        and report["desktop_file"]
        and report["patchmatch"]
        and not missing
        and editor in ("shown", "not built yet")
    )
    report["ok"] = bool(ok)
    print(json.dumps(report))
    return 0 if ok else 1


def editor_self_test() -> str:
    """Build and show the real editor window: an import the spec excluded fails here."""
    from PySide6.QtWidgets import QApplication

    try:
        from outpaint_studio.ui import MainWindow  # type: ignore[attr-defined,unused-ignore]
    except ImportError as error:
        if error.name == "outpaint_studio.ui":  # no ui package, or no MainWindow in it yet
            return "not built yet"
        return f"import failed: {error}"
    try:
        window = MainWindow()
        window.show()
        QApplication.processEvents()
        shown = window.isVisible()
        window.close()
    except Exception as error:  # report it in the JSON line instead of a traceback
        return f"failed: {type(error).__name__}: {error}"
    return "shown" if shown else "not shown"


if __name__ == "__main__":
    # A frozen app must call this first, or a child process started with "spawn" reruns main().
    multiprocessing.freeze_support()
    if sys.argv[1:] == ["--bundle-self-test"]:
        sys.exit(bundle_self_test())
    sys.exit(main())
