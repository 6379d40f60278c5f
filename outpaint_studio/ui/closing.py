"""What the window keeps as it closes and finds again at the next start (its size and place, and
where its docks and toolbar are), and what it asks before closing on jobs still running."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar

from outpaint_studio import APP_NAME
from outpaint_studio.core.settings import Settings
from outpaint_studio.ui.dialogs import Dialogs

# Raise it when the docks or toolbars change: a state saved before is then ignored (the default
# layout) rather than restored into docks it does not describe.
WINDOW_STATE_VERSION = 1


def remember_window(window: QMainWindow, settings: Settings) -> None:
    """The window's geometry and its docks' and toolbars' state, kept in ``settings``."""
    settings.window_geometry = _text(window.saveGeometry())
    settings.window_state = _text(window.saveState(WINDOW_STATE_VERSION))


def restore_geometry(window: QMainWindow, settings: Settings) -> bool:
    """The window's saved size and place; False when none was saved or it is unusable."""
    return window.restoreGeometry(_bytes(settings.window_geometry))


def restore_docks(window: QMainWindow, settings: Settings) -> bool:
    """The docks and toolbars as they were left; False (the layout untouched) when none was
    saved, or the saved state is corrupt or of another version."""
    if not settings.window_state:
        return False
    central = window.centralWidget()
    if central is not None:  # on a window on screen, its show is queued: until then the saved
        central.show()  # sizes would be fitted as if it were not there, the docks taking its room
    if not window.restoreState(_bytes(settings.window_state), WINDOW_STATE_VERSION):
        return False
    # Added to a window already on screen (a staged start), a dock or toolbar has a show queued,
    # which would undo the hide restored here: the explicit one it is given now stays.
    for bar in [*window.findChildren(QDockWidget), *window.findChildren(QToolBar)]:
        bar.setVisible(not bar.isHidden())
    return True


def _text(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode()


def _bytes(text: str) -> QByteArray:
    return QByteArray.fromBase64(text.encode())


def may_quit(dialogs: Dialogs, jobs_left: list[bool]) -> bool:
    """Whether to quit: at once when no job is left, else as the user answers."""
    return not jobs_left or dialogs.confirm("Quit", quit_question(jobs_left), action="Quit")


def quit_question(jobs_left: list[bool]) -> str:
    """What quitting now does to the jobs left, each given as whether it runs on a service
    (FLUX) rather than here, in words, ending with the question."""
    flux, offline = jobs_left.count(True), jobs_left.count(False)
    fates = []
    if flux:
        jobs = "the FLUX job" if flux == 1 else f"the {flux} FLUX jobs"
        fates.append(f"{jobs} will be collected the next time you start {APP_NAME}, so nothing "
                     "paid is lost")  # fmt: skip
    if offline:
        fills = "the offline fill" if offline == 1 else f"the {offline} offline fills"
        fates.append(f"{fills} in progress will stop")
    running = "1 job is" if len(jobs_left) == 1 else f"{len(jobs_left)} jobs are"
    fate = "; ".join(fates)
    return f"{running} running. {fate[0].upper()}{fate[1:]}. Quit anyway?"
