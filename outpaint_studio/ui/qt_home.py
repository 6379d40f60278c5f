"""Where Qt keeps its own settings (the file dialogs' history)."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def keep_qt_settings_home() -> None:
    """In portable mode Qt's own settings (the file dialogs' history) go under the portable
    folder too, not to ``~/.config/QtProject.conf``."""
    from outpaint_studio.core.settings import portable_home

    home = portable_home()
    if home is not None:
        for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(kind, QSettings.Scope.UserScope, str(home / "qt"))
