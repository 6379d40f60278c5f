"""Start the editor: the QApplication, the window, an optional first image."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from outpaint_studio import APP_ID, APP_NAME


def window_icon() -> QIcon:
    try:
        from outpaint_studio.resources import icon_path

        return QIcon(str(icon_path(256)))
    except (ImportError, OSError, ValueError):
        return QIcon()


def run_gui(path: str | None) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("Outpaint Studio")
    app.setOrganizationDomain("outpaint.studio")
    app.setDesktopFileName(APP_ID)
    from outpaint_studio.ui.main_window import MainWindow

    window = MainWindow(staged=True)

    def when_ready() -> None:
        app.setWindowIcon(window_icon())
        if path:
            window.open_image(path)

    window.ready.connect(when_ready)
    window.show()
    return app.exec()
