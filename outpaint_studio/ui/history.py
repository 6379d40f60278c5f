"""The history panel: every journal record, with reopen, use as source, export, poll and delete.

Signals go to the window, which owns the editor; the panel only reads and edits the journal.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QSize, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outpaint_studio.core.jobs import COLLECTABLE, JobRecord, JobState, Journal
from outpaint_studio.core.settings import KeyStore, Settings, journal_dir
from outpaint_studio.ui.history_model import THUMB_SIDE, HistoryModel, details_text, image_path
from outpaint_studio.ui.widgets import named


class PollThread(QThread):
    """Collects one submitted job again ("poll again") through the core runner."""

    done = Signal(object)  # the JobRecord in its final state

    def __init__(
        self, record: JobRecord, settings: Settings, keys: KeyStore, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.record, self.settings, self.keys = record, settings, keys
        self.cancel = threading.Event()

    def run(self) -> None:
        from outpaint_studio.core.engine import EngineError
        from outpaint_studio.core.session import (
            ConfigurationError,
            EngineChoice,
            make_engine,
            make_runner,
            resolve_api_url,
        )

        record = self.record
        url = record.api_base or resolve_api_url(self.settings)
        try:
            runner = make_runner(make_engine(EngineChoice(record.engine, url), self.keys,
                                             self.settings))  # fmt: skip
            record = runner.collect(record, lambda _update: None, self.cancel)
        except (ConfigurationError, EngineError, OSError) as exc:
            record.error = str(exc)
        self.done.emit(record)


class HistoryPanel(QWidget):
    """Lists the journal, newest first.

    Signals:
        reopen_layout(object): the JobRecord whose layout the editor should restore.
        use_as_source(str): an image file to open as the new source.
        export_requested(object): the JobRecord to export (Save as).
    """

    reopen_layout = Signal(object)
    use_as_source = Signal(str)
    export_requested = Signal(object)

    def __init__(self, settings: Settings, keys: KeyStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings, self.keys = settings, keys
        self.model = HistoryModel(self)
        self._polls: list[PollThread] = []
        self.view = named(QListView(), "historyList", "Every result, newest first")
        self.view.setModel(self.model)
        self.view.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.view.setUniformItemSizes(True)
        self.view.setSpacing(2)
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.details = named(QLabel(), "historyDetails", "The selected result")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        rows = [QHBoxLayout(), QHBoxLayout()]
        labels = (("reopen", "Reopen layout"), ("source", "Use as source"),
                  ("export", "Export…"), ("poll", "Poll again"), ("delete", "Delete"))  # fmt: skip
        for index, (name, text) in enumerate(labels):
            button = named(QPushButton(text), f"history-{name}", text)
            self.buttons[name] = button
            rows[index // 3].addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.details)
        for row in rows:
            layout.addLayout(row)
        self.buttons["reopen"].clicked.connect(self._reopen)
        self.buttons["source"].clicked.connect(self._use)
        self.buttons["export"].clicked.connect(self._export)
        self.buttons["poll"].clicked.connect(self.poll_again)
        self.buttons["delete"].clicked.connect(self.delete_selected)
        self.view.selectionModel().currentChanged.connect(self._selection_changed)
        self._selection_changed()

    # --- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        self.model.set_records(Journal(journal_dir()).records())
        self._selection_changed()

    def add(self, record: JobRecord) -> None:
        self.model.upsert(record)

    def record_changed(self, key: str) -> None:
        """A job ended: show its record as the journal now has it."""
        try:
            self.model.upsert(Journal(journal_dir()).load(key))
        except (OSError, ValueError, KeyError):
            return
        self._selection_changed()

    def selected(self) -> JobRecord | None:
        return self.model.record_at(self.view.currentIndex().row())

    def select_row(self, row: int) -> None:
        self.view.setCurrentIndex(self.model.index(row))

    def _selection_changed(self) -> None:
        record = self.selected()
        self.details.setText(details_text(record) if record else "No result selected")
        has_image = record is not None and image_path(record) is not None
        self.buttons["reopen"].setEnabled(record is not None)
        self.buttons["source"].setEnabled(has_image)
        self.buttons["export"].setEnabled(has_image)
        self.buttons["delete"].setEnabled(record is not None)
        busy = record is not None and any(p.record.key == record.key for p in self._polls)
        self.buttons["poll"].setEnabled(
            record is not None and record.state in COLLECTABLE and not busy
        )

    # --- actions ----------------------------------------------------------------------------

    def _reopen(self) -> None:
        if (record := self.selected()) is not None:
            self.reopen_layout.emit(record)

    def _use(self) -> None:
        record = self.selected()
        path = image_path(record) if record else None
        if path:
            self.use_as_source.emit(path)

    def _export(self) -> None:
        if (record := self.selected()) is not None:
            self.export_requested.emit(record)

    def confirm_delete(self, record: JobRecord) -> bool:
        """Ask first (tests replace this method)."""
        answer = QMessageBox.question(
            self, "Delete result", "Delete this result and its files in the history folder?"
        )
        return answer == QMessageBox.StandardButton.Yes

    def delete_selected(self) -> None:
        from outpaint_studio.core.metadata import delete_job_files

        record = self.selected()
        if record is None or not self.confirm_delete(record):
            return
        delete_job_files(record)
        Journal(journal_dir()).delete(record.key)
        self.model.remove(record.key)
        self._selection_changed()

    def poll_again(self) -> None:
        record = self.selected()
        if record is None or record.state not in COLLECTABLE:
            return
        thread = PollThread(record, self.settings, self.keys, self)
        thread.done.connect(self._on_polled)
        self._polls.append(thread)
        thread.start()
        self._selection_changed()

    @Slot(object)
    def _on_polled(self, record: JobRecord) -> None:
        for thread in [t for t in self._polls if t.record.key == record.key]:
            thread.wait()
            self._polls.remove(thread)
            thread.deleteLater()
        self.model.upsert(record)
        self._selection_changed()

    def shutdown(self) -> None:
        for thread in self._polls:
            thread.cancel.set()
        for thread in self._polls:
            thread.wait()
        self._polls = []
        self.model.shutdown()


__all__ = ["HistoryPanel", "JobState"]
