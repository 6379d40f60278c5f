"""The history panel: every journal record, with reopen, use as source, export, poll and delete.

The list follows the journal folder itself (a file watcher), so it shows what the journal files
say whoever wrote them: this window, ``outpaint-studio resume`` in a terminal, another window.
The panel reads the journal it is given (the session's one) and deletes from it; what to do with
a record (reopen it, collect it, show it) it asks through its signals.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QFileSystemWatcher,
    QItemSelection,
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outpaint_studio.core.jobs import JobRecord, Journal, collectable
from outpaint_studio.core.transitions import IN_FLIGHT
from outpaint_studio.model.history import THUMB_SIDE, HistoryModel, image_path
from outpaint_studio.model.job_work import JobOutcome
from outpaint_studio.ui.dialogs import Dialogs
from outpaint_studio.ui.widgets import named

DELETE_TIP = "Delete the selected result (Del)"
NOT_YET_DELETABLE = ("Paid for and not collected yet: Poll again collects it (at the next start, "
                     "the editor does); it can be deleted then")  # fmt: skip


class HistoryPanel(QWidget):
    """Lists the journal, newest first.

    Signals:
        reopen_layout(object): the JobRecord whose layout the editor should restore.
        use_as_source(str): an image file to open as the new source.
        export_requested(object): the JobRecord to export (Save as).
        collect_requested(list): collectable JobRecords to collect ("Poll again"; at the first
            load, every job an earlier run left collectable).
        result_chosen(object, QImage): the JobOutcome and image of a past result the user
            selected, to show on the canvas.
    """

    reopen_layout = Signal(object)
    use_as_source = Signal(str)
    export_requested = Signal(object)
    collect_requested = Signal(list)
    result_chosen = Signal(object, QImage)

    def __init__(self, journal: Journal, history_folder: Path, dialogs: Dialogs,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.journal = journal
        self.dialogs = dialogs
        self.model = HistoryModel(history_folder, journal, self)
        self.model.previews.done.connect(self._on_preview)
        self._loaded = False
        self._following = False  # selecting what the canvas already shows
        self._stamps: dict[str, int] = {}  # journal file name -> modification time (ns)
        self._sync = QTimer(self)  # one re-read for a burst of journal writes
        self._sync.setSingleShot(True)
        self._sync.setInterval(50)
        self._sync.timeout.connect(self.sync)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._journal_touched)
        self.view = named(QListView(), "historyList", "Every result, newest first")
        self.view.setModel(self.model)
        self.view.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.view.setUniformItemSizes(True)
        self.view.setSpacing(2)
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.details = named(QLabel(), "historyDetails", "The selected result")
        self.details.setWordWrap(True)
        self.details.setMinimumWidth(1)  # a long job id is cut, not a reason to widen the dock
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        rows = [QHBoxLayout(), QHBoxLayout(), QHBoxLayout()]  # two a row: the dock can be narrow
        labels = (("reopen", "Reopen layout"), ("source", "Use as source"),
                  ("export", "Export…"), ("poll", "Poll again"), ("delete", "Delete"))  # fmt: skip
        tips = {"delete": DELETE_TIP}
        for index, (name, text) in enumerate(labels):
            button = named(QPushButton(text), f"history-{name}", tips.get(name, text))
            self.buttons[name] = button
            rows[index // 2].addWidget(button)
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
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)  # the list's, not the window's
        delete_key.activated.connect(self.delete_selected)
        self.view.selectionModel().currentChanged.connect(self._selection_changed)
        self.view.selectionModel().selectionChanged.connect(self._chosen)
        self._selection_changed()

    # --- following the journal -------------------------------------------------------------

    def reload(self) -> None:
        """Read the whole journal; the first time, ask to collect what earlier runs left."""
        folder = self.journal.folder
        folder.mkdir(parents=True, exist_ok=True)
        if not self._watcher.directories():
            self._watcher.addPath(str(folder))
        records = self.journal.records()
        if not self._loaded:
            self.journal.settle_unsent(records)  # what a crash left around a submit: say so
        self.model.set_records(records)
        self._stamps = self._read_stamps()
        self._selection_changed()
        if not self._loaded:
            self._loaded = True
            left = [r for r in records if collectable(r)]  # Journal.collectable(), read once
            if left:
                self.collect_requested.emit(left)

    @Slot(str)
    def _journal_touched(self, _folder: str) -> None:
        self._sync.start()

    def _read_stamps(self) -> dict[str, int]:
        stamps = {}
        for path in self.journal.folder.glob("*.json"):
            try:
                stamps[path.stem] = path.stat().st_mtime_ns
            except OSError:
                continue  # replaced or deleted meanwhile: the next sync sees it
        return stamps

    @Slot()
    def sync(self) -> None:
        """Show every journal file that changed since the last look, and drop deleted ones."""
        stamps = self._read_stamps()
        for key in self._stamps.keys() - stamps.keys():
            self.model.remove(key)
        for key, stamp in stamps.items():
            if self._stamps.get(key) != stamp:
                self.record_changed(key)
        self._stamps = stamps
        self._selection_changed()

    def record_changed(self, key: str) -> None:
        """Show the job's record as the journal now has it."""
        record = self.journal.find(key)
        if record is None:
            return
        self.model.upsert(record)
        self._selection_changed()

    def follow(self, key: str | None) -> None:
        """Select the record of the result on the canvas (``None``: no result), without
        showing it again, so that the list and the details say what Save would write."""
        row = self.model.row_of(key) if key is not None else None
        index = self.model.index(row) if row is not None else QModelIndex()
        if index == self.view.currentIndex():
            return
        self._following = True
        self.view.setCurrentIndex(index)
        if row is None:
            self.view.clearSelection()
        self._following = False
        self._selection_changed()

    def selected(self) -> JobRecord | None:
        return self.model.record_at(self.view.currentIndex().row())

    def select_row(self, row: int) -> None:
        self.view.setCurrentIndex(self.model.index(row))

    def _selection_changed(self) -> None:
        record = self.selected()
        self.details.setText(self.model.details(record) if record else "No result selected")
        has_image = record is not None and image_path(record) is not None
        self.buttons["reopen"].setEnabled(record is not None)
        self.buttons["source"].setEnabled(has_image)
        self.buttons["export"].setEnabled(has_image)
        # a paid job not collected yet would be lost for good: its journal is what collects it
        in_flight = record is not None and record.state in IN_FLIGHT
        self.buttons["delete"].setEnabled(record is not None and not in_flight)
        self.buttons["delete"].setToolTip(NOT_YET_DELETABLE if in_flight else DELETE_TIP)
        self.buttons["poll"].setEnabled(record is not None and collectable(record))

    @Slot(QItemSelection, QItemSelection)
    def _chosen(self, chosen: QItemSelection, _left: QItemSelection) -> None:
        """A click (or an arrow key, or Space) on a past result shows it on the canvas. Focus
        coming to the list makes its first row current, not selected: that shows nothing
        (Tab through the window once swapped the photo for the newest result)."""
        rows = [index.row() for index in chosen.indexes()]
        record = self.model.record_at(rows[0]) if rows else None
        if record is not None and image_path(record) and not self._following:
            self.model.decode(record)

    @Slot(str, QImage)
    def _on_preview(self, key: str, image: QImage) -> None:
        record = self.selected()
        if record is not None and record.key == key and not image.isNull():
            self.result_chosen.emit(JobOutcome.of(record), image)

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

    def delete_selected(self) -> None:
        from outpaint_studio.core.metadata import delete_job_files

        record = self.selected()
        if record is None or not self.buttons["delete"].isEnabled():  # the Del key, as the button
            return
        question = "Delete this result and its files in the history folder?"
        if not self.dialogs.confirm("Delete result", question):
            return
        delete_job_files(record, self.model.history_folder)
        self.journal.delete(record.key)
        self.model.remove(record.key)
        self._selection_changed()

    def poll_again(self) -> None:
        """Collect the selected job again, through the jobs' one collection path."""
        record = self.selected()
        if record is not None and collectable(record):
            self.collect_requested.emit([record])

    def shutdown(self) -> None:
        if folders := self._watcher.directories():
            self._watcher.removePaths(folders)
        self._sync.stop()
        self.model.shutdown()


__all__ = ["HistoryPanel"]
