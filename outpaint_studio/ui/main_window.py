"""The editor window: wires the model, the canvas, the panels, the loader and the jobs.

Start-up is staged. ``MainWindow(staged=True)``, what the app runs, shows the empty window first and
builds the editor right after that first paint, so the window is on screen as fast as a bare
``QMainWindow`` (as Firefox's early blank window does). Until then the window has no child widget
and makes no call that loads PySide's ``Qt`` namespace: either would delay that paint by 10 to
20 ms. The editor's parts are imported when it is built, through ``editor_parts``, a module loaded
on first use. ``MainWindow()`` builds everything at once.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QMainWindow

from outpaint_studio import APP_NAME
from outpaint_studio.core.settings import load_settings, save_settings
from outpaint_studio.ui.closing import may_quit, remember_window, restore_docks, restore_geometry
from outpaint_studio.ui.dialogs import Dialogs
from outpaint_studio.ui.lazy import lazy_module

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QPaintEvent

    from outpaint_studio.core.images import SourceImage
    from outpaint_studio.core.jobs import JobParams, JobRecord
    from outpaint_studio.core.options import Options
    from outpaint_studio.model.jobs import JobOutcome
    from outpaint_studio.session import Session
    from outpaint_studio.ui import editor_parts as parts
else:
    parts = lazy_module("outpaint_studio.ui.editor_parts")

STAGED_BUILD_DEADLINE_MS = 500  # a window never painted (hidden, minimised) is built all the same
FIRST_SIZE = QSize(1280, 800)  # the first start's window, where the screen has room for it


class MainWindow(QMainWindow):
    ready = Signal()  # the editor is built: with staged=True, just after the first paint

    def __init__(
        self, session: Session | None = None, *, dialogs: Dialogs | None = None,
        staged: bool = False,
    ) -> None:  # fmt: skip
        super().__init__()
        # The session (the journal, the engines' modules) is opened as the editor is built:
        # the first paint needs only the settings.
        self._given_session = session
        self.settings = session.settings if session is not None else load_settings()
        self.dialogs = dialogs or Dialogs(self)
        self.is_ready = False
        self.setWindowTitle(APP_NAME)
        if not restore_geometry(self, self.settings):
            self.resize(FIRST_SIZE.boundedTo(self.screen().availableSize() * 0.9))
        self._assembly = QTimer(self)  # builds the editor, with staged=True after the first paint
        self._assembly.setSingleShot(True)
        self._assembly.timeout.connect(self._assemble)
        if staged:
            self._assembly.start(STAGED_BUILD_DEADLINE_MS)
        else:
            self._assemble()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._assembly.remainingTime() > 0:  # staged, not built, not yet scheduled for now
            self._assembly.start(0)  # now: it runs once this first frame is on screen

    def _assemble(self) -> None:
        parts.keep_qt_settings_home()  # before any file dialog can open
        self.session = self._given_session or parts.Session.open(self.settings)
        self.keys = self.session.keys
        self.workers = parts.Workers(self)
        self.errors = parts.ErrorModel(self)
        self.model = parts.EditorModel(self._initial_options())
        self.source: SourceImage | None = None
        self.loader = parts.Loader(self.workers, self.session.downloads, parent=self)
        self.jobs = parts.JobController(self.session, self.workers, self.errors, self)
        self.canvas = parts.CanvasView(self.model)
        self.canvas.set_snapping(self.settings.snap)
        self.banner = parts.Banner(self.errors)
        self.layout_panel = parts.LayoutPanel(self.model)
        self.options_panel = parts.OptionsPanel(self.model)
        self.result_set = parts.Results(self)
        self.results = parts.ResultKeeper(self.result_set, self.canvas, self.model, self.jobs,
                                          self.settings, self.session.journal, self.dialogs,
                                          self.errors)  # fmt: skip
        self.variations = parts.VariationsBar(self.result_set, self.jobs)
        self.history = parts.HistoryPanel(self.session.journal, self.session.history, self.dialogs)
        self._pending_layout: JobParams | None = None
        self.cost = parts.CostView(self.session, self.workers, self)
        run = parts.FormatsRun(self.session, self.workers, self.errors)
        self.formats = parts.FormatsEditor(self.model, run, self.history.model, self.session,
                                           self.dialogs, lambda: self.source, self)  # fmt: skip
        for dock in (self.formats.dock, self.formats.sheet):
            self.addDockWidget(dock.DOCK_AREA, dock)
        self._build()
        self.layered = parts.LayeredExport(self.result_set, self.session.journal,
                                           self.session.open_in, self.results.suggested_path,
                                           self.workers, self.errors, self.dialogs,
                                           self)  # fmt: skip
        docks = [self.history_dock, self.formats.dock, self.formats.sheet]
        self.actions_ = parts.EditorActions(self, self.menuBar(), self.canvas,
                                            self.model.undo_group, self.settings, self.dialogs,
                                            self.layered, docks)  # fmt: skip
        self.addToolBar(self.actions_.toolbar)
        restore_docks(self, self.settings)
        self.formats.sheet.hide()  # it holds a session's results: Extend all shows it
        self.canvas_keys = parts.CanvasKeys(self, self.canvas,
                                            self.layout_panel.placement_controls())  # fmt: skip
        self._connect()
        self._connect_parts()
        self.update_result_actions()
        self.refresh_key_notice()
        self.update_extend()
        self.is_ready = True
        self.ready.emit()

    def _connect_parts(self) -> None:
        """What the menus, Formats and the layered export ask of the window."""
        actions = self.actions_
        actions.open_requested.connect(self.open_image)
        actions.image_pasted.connect(self.open_qimage)
        for action, command in (
            (actions.save, self.results.save),
            (actions.copy, self.results.copy),
            (actions.use_as_source, self.results.use_as_source),
            (actions.settings_action, self.open_settings),
            (actions.quit, self.close),
            (actions.extend, self.extend),
        ):
            action.triggered.connect(command)
        actions.cancel.activated.connect(self.cancel)
        self.formats.record_changed.connect(self.history.record_changed)
        self.formats.record_changed.connect(self.update_cost)  # after: it reads the history
        self.formats.result_chosen.connect(self.results.show)
        self.formats.status_message.connect(self.statusBar().showMessage)
        self.formats.run.running_changed.connect(self._on_formats_running)
        self.layered.status_message.connect(self.statusBar().showMessage)

    def _initial_options(self) -> Options:
        engine = self.session.choose_engine(None).name
        return parts.options_from_settings(self.settings, engine)

    def _build(self) -> None:
        panel = self.options_panel
        body = parts.editor_body(self.banner, self.canvas, self.variations, self.layout_panel,
                                 panel, panel.run_area)  # fmt: skip
        self.setCentralWidget(body)
        self.history_dock = parts.history_dock(self.history)
        self.addDockWidget(parts.HISTORY_AREA, self.history_dock)
        self.resizeDocks([self.history_dock], [parts.history_width(self.width())], parts.ACROSS)
        parts.tab_with(self, self.history_dock, self.formats.dock)
        QTimer.singleShot(0, self._after_first_paint)
        self.statusBar().addPermanentWidget(self.cost.session)
        self.statusBar().addPermanentWidget(self.cost.balance)
        self.statusBar().showMessage("Drop an image on the canvas, or press Ctrl+O")

    def _after_first_paint(self) -> None:
        self.history.reload()  # the journal is read once the window is up
        self.update_cost()
        self.cost.refresh_balance()

    def update_cost(self) -> None:
        state, records = self.model.state, self.history.model.records
        self.options_panel.estimate.setText(parts.estimate_text(state, records, self.cost.credits))
        self.cost.update_session(records)

    def _connect(self) -> None:
        self.canvas.sources_dropped.connect(self._on_dropped)
        self.canvas.image_dropped.connect(self.open_qimage)
        self.loader.preview.connect(self._on_preview)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.loader.refined.connect(self._on_refined)
        self.model.changed.connect(self.update_extend)
        self.model.changed.connect(self.update_cost)
        self.cost.balance_changed.connect(self.update_cost)
        self.options_panel.extend_button.clicked.connect(self.extend)
        self.options_panel.cancel_button.clicked.connect(self.jobs.cancel)
        self.options_panel.settings_requested.connect(self.open_settings)
        self.jobs.running_changed.connect(self.options_panel.show_running)
        self.jobs.running_changed.connect(self.update_extend)
        self.jobs.status.connect(self.options_panel.show_status)
        self.jobs.elapsed.connect(self.options_panel.show_elapsed)
        self.jobs.finished.connect(self.result_set.job_finished)
        self.jobs.finished.connect(self._on_job_finished)
        self.jobs.status_tip.connect(self.options_panel.status.setToolTip)
        self.jobs.variation_status.connect(self.result_set.set_status)
        self.result_set.current_changed.connect(self.update_result_actions)
        self.result_set.current_changed.connect(
            lambda: self.history.follow(self.results.outcome.key if self.results.outcome else None)
        )
        self.results.status_message.connect(self.statusBar().showMessage)
        self.results.open_requested.connect(self.open_image)
        self.results.restore_requested.connect(self.restore_layout)
        self.banner.action.connect(self._on_banner_action)
        self.history.reopen_layout.connect(self.reopen_layout)
        self.history.use_as_source.connect(self.open_image)
        self.history.export_requested.connect(self.export_record)
        self.history.collect_requested.connect(self.jobs.collect)
        self.history.result_chosen.connect(self.results.show)
        self.history.result_chosen.connect(self.options_panel.clear_status)  # no stale job text

    # --- sources ----------------------------------------------------------------------------

    def open_image(self, path: str | Path) -> None:
        """Load a source as File › Open and a drop do: preview first, then the full image."""
        self.errors.clear()
        self.statusBar().showMessage(f"Opening {self.session.journal.source_name(str(path))}…")
        view = self.canvas.viewport().size() * self.canvas.devicePixelRatioF()
        self.loader.load(str(path), (view.width(), view.height()))  # the preview fills the view

    @Slot(list)
    def _on_dropped(self, sources: list[str]) -> None:
        dropped = sources[0]
        params = None
        if not dropped.startswith(("http://", "https://")):
            from outpaint_studio.core.metadata import read_layout

            params = read_layout(Path(dropped))
        if params is not None and self._restore_asked(Path(dropped)):
            source = parts.find_source(params.input, Path(dropped), self.settings.recent_files)
            if source is not None:
                self.restore_layout(replace(params, input=str(source)))
                return
            self.statusBar().showMessage(f"The source {params.input} was not found", 8000)
        self.open_image(dropped)

    def _restore_asked(self, path: Path) -> bool:
        """Whether the user wants an exported file's layout back."""
        return self.dialogs.confirm(
            "Restore layout", f"{path.name} was made with {APP_NAME}. Open its source with the "
            "same canvas, placement and options?",
        )  # fmt: skip

    def restore_layout(self, params: JobParams) -> None:
        """Open the job's source, then put its canvas, placement and options back."""
        self._pending_layout = params
        self.open_image(params.input)

    @Slot(object)
    def reopen_layout(self, record: JobRecord) -> None:
        source = parts.find_source(record.params.input, None, self.settings.recent_files)
        if source is None:
            self.errors.report(parts.UserError(f"The source {record.params.input} is gone",
                                               "warning", kind="source"))  # fmt: skip
            return
        self.restore_layout(replace(record.params, input=str(source)))

    @Slot(object)
    def export_record(self, record: JobRecord) -> None:
        from outpaint_studio.model.history import image_path

        path = image_path(record)
        if path:
            self.results.export(path, record)

    @Slot(QImage)
    def open_qimage(self, image: QImage) -> None:
        """An image from the clipboard or a drop: kept as a PNG file, then opened."""
        path = self.results.store_pasted(image, self.session.pasted)
        if path is not None:
            self.open_image(path)

    @Slot(QImage, str, tuple)
    def _on_preview(self, image: QImage, path: str, size: tuple[int, int]) -> None:
        self.source = None
        self.result_set.clear()
        self.options_panel.clear_status()
        self.model.set_options(auto_crop=False)  # it belongs to the image; a layout restores it
        self.model.set_source(path, size)
        pending, self._pending_layout = self._pending_layout, None
        if pending is not None and parts.same_file(pending.input, path):
            self.model.set_state(parts.restored_state(self.model.state, pending))
        self.canvas.set_pixmap(QPixmap.fromImage(image))
        self.canvas.fit()
        self.update_extend()
        named = self.session.journal.source_name(path)
        self.statusBar().showMessage(f"Loading {named} at full size…")

    @Slot(object)
    def _on_loaded(self, source: SourceImage) -> None:
        self.source = source
        if self.model.state.source_size != source.size and source.path is not None:
            self.model.set_source(str(source.path), source.size)
        if source.path is not None:
            self.settings.add_recent(str(source.path))
        named = parts.sentence(self.session.journal.source_name(self.model.state.source_path or ""))
        self.statusBar().showMessage(f"{named}: {source.size[0]} × {source.size[1]} px", 8000)
        self.update_extend()

    @Slot(QImage)
    def _on_refined(self, image: QImage) -> None:
        self.canvas.set_pixmap(QPixmap.fromImage(image))

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        self.statusBar().clearMessage()
        self.errors.report(parts.UserError(message, kind="load"))

    # --- extend -----------------------------------------------------------------------------

    def update_extend(self) -> None:
        state = self.model.state
        problems = state.problems()
        reason = self.jobs.why_not_extend(problems, self.source is not None)
        to_fix = state.source_size is not None and reason in problems
        self.options_panel.set_extend_allowed(reason is None, reason or "", to_fix)

    def extend(self) -> None:
        problems = self.model.state.problems()
        if self.source is None or self.jobs.why_not_extend(problems, True) is not None:
            return
        self.errors.clear()
        # Extend is disabled while its job runs: the arrows then nudge, not whatever control
        # comes next. focusWidget, not hasFocus: an X server without a window manager never
        # activates the window, and hasFocus is then false.
        if self.focusWidget() is self.options_panel.extend_button:
            self.canvas.setFocus()
        url, count = self.session.api_url(), self.model.state.options.variations
        self.result_set.begin(count, self.model.state.geometry)
        if not self.jobs.start(self.model.state.job_params(), self.source, url, count):
            self.result_set.abandon()

    def cancel(self) -> None:
        self.jobs.cancel()

    @Slot(object, QImage)
    def _on_job_finished(self, outcome: JobOutcome, image: QImage) -> None:
        self.history.record_changed(outcome.key)
        self.update_cost()
        if outcome.engine == "bfl":
            self.cost.refresh_balance()
        if outcome.succeeded:
            self.statusBar().showMessage(self.result_set.saved_words(outcome), 15000)

    @Slot(bool)
    def _on_formats_running(self, running: bool) -> None:
        if not running:
            self.cost.refresh_balance()  # what Extend all spent

    @Slot(str)
    def _on_banner_action(self, action: str) -> None:
        if action == "settings":
            self.open_settings()
        elif action == "fit":
            self.layout_panel.fit()
        elif action == "offline":
            self.model.set_options(engine="local")
            self.errors.clear()

    # --- settings and closing ---------------------------------------------------------------

    def open_settings(self) -> None:
        from outpaint_studio.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.keys, self.workers, self.dialogs, self)
        if dialog.exec():
            save_settings(self.settings)
            self.canvas.set_snapping(self.settings.snap)
            self.refresh_key_notice()
        dialog.deleteLater()

    def refresh_key_notice(self) -> None:
        self.options_panel.set_key_available(bool(self.keys.get()))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.is_ready:  # closed before the editor was built: nothing to save
            self._assembly.stop()
            super().closeEvent(event)
            return
        if not may_quit(self.dialogs, self.jobs.jobs_left() + self.formats.run.jobs_left()):
            event.ignore()
            return
        remember_window(self, self.settings)
        self.canvas_keys.remove()
        self.jobs.shutdown()
        self.formats.shutdown()
        self.history.shutdown()
        self.workers.shutdown()
        automatic = self.session.automatic_engine()
        parts.remember_options(self.settings, self.model.state.options, automatic)
        with contextlib.suppress(OSError):
            save_settings(self.settings)
        super().closeEvent(event)

    def update_result_actions(self) -> None:
        actions = getattr(self, "actions_", None)
        if actions is None:
            return
        has = self.results.has_result()
        for action in (actions.save, actions.copy, actions.use_as_source, actions.compare):
            action.setEnabled(has)
