"""The questions the editor asks the user, as native dialogs over one parent window.

Every part that asks something receives this object; tests give the window a scripted one
(``ScriptedDialogs`` in ``tests/ui/scripted_dialogs.py``) instead of replacing methods.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget


class Dialogs:
    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def save_path(
        self, title: str, suggested: str, filters: list[str], selected: str = ""
    ) -> tuple[str, str]:
        """A file to write (the dialog asks before replacing one), and the filter chosen;
        ("", "") when cancelled."""
        path, chosen = QFileDialog.getSaveFileName(
            self.parent, title, suggested, ";;".join(filters), selected or filters[0]
        )
        return path, chosen

    def open_path(self, title: str, start: str, filters: str) -> str:
        """An existing file to read (``filters``: Qt's ";;"-separated list), or "" when
        cancelled."""
        path, _chosen = QFileDialog.getOpenFileName(self.parent, title, start, filters)
        return path

    def folder(self, title: str, start: str) -> str:
        """A folder to write into, or "" when cancelled."""
        return QFileDialog.getExistingDirectory(self.parent, title, start)

    def confirm(self, title: str, question: str, action: str = "") -> bool:
        """Yes or No; with ``action`` ("Quit"), a button of that name or Cancel, the default."""
        if not action:
            answer = QMessageBox.question(self.parent, title, question)
            return answer == QMessageBox.StandardButton.Yes
        box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=self.parent)
        chosen = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.exec()
        box.deleteLater()
        return box.clickedButton() is chosen

    def text(self, title: str, label: str) -> str:
        """A line of text, or "" when cancelled."""
        text, accepted = QInputDialog.getText(self.parent, title, label)
        return text if accepted else ""


__all__ = ["Dialogs"]
