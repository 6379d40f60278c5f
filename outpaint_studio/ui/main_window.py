"""The editor window: wires the model, the canvas, the panels, the loader and the jobs."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from outpaint_studio import APP_NAME
from outpaint_studio.core.layout import MAX_PIXELS
from outpaint_studio.core.session import ConfigurationError, choose_engine, resolve_api_url
from outpaint_studio.core.settings import KeyStore, Settings, load_settings, save_settings
from outpaint_studio.ui.actions import build_actions
from outpaint_studio.ui.banner import Banner
from outpaint_studio.ui.canvas import CanvasView
from outpaint_studio.ui.cost_view import CostView, estimate_text
from outpaint_studio.ui.history import HistoryPanel
from outpaint_studio.ui.history_model import change_text, done_text
from outpaint_studio.ui.job_controller import MAX_VARIATIONS, JobController, JobOutcome
from outpaint_studio.ui.loader import Loader
from outpaint_studio.ui.model import EditorModel
from outpaint_studio.ui.options_panel import OptionsPanel
from outpaint_studio.ui.panel import LayoutPanel
from outpaint_studio.ui.restore import find_source, restored_state, same_file
from outpaint_studio.ui.results import ResultKeeper
from outpaint_studio.ui.state import Options
from outpaint_studio.ui.variations import VariationsBar

if TYPE_CHECKING:
    from outpaint_studio.core.images import SourceImage
    from outpaint_studio.core.jobs import JobParams, JobRecord

ERROR_ACTIONS = {
    "auth": ("settings", "Open Settings"),
    "credits": ("settings", "Open Settings"),
}


def window_icon() -> QIcon:
    try:
        from outpaint_studio.resources import icon_path

        return QIcon(str(icon_path(256)))
    except (ImportError, OSError, ValueError):
        return QIcon()


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, keys: KeyStore | None = None) -> None:
        super().__init__()
        self.settings = settings or load_settings()
        self.keys = keys or KeyStore()
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(window_icon())
        self.model = EditorModel(self._initial_options())
        self.source: SourceImage | None = None
        self.loader = Loader(self)
        self.jobs = JobController(self.settings, self.keys, self)
        self.canvas = CanvasView(self.model)
        self.canvas.set_snapping(self.settings.snap)
        self.banner = Banner()
        self.layout_panel = LayoutPanel(self.model)
        self.options_panel = OptionsPanel(self.model)
        self.results = ResultKeeper(self, self.canvas, self.settings)
        self.variations = VariationsBar(self)
        self.history = HistoryPanel(self.settings, self.keys)
        self._pending_layout: JobParams | None = None
        self.cost = CostView(self.keys, self)
        self._build()
        self.actions_ = build_actions(self)
        self._connect()
        self.update_result_actions()
        self.refresh_key_notice()
        self.update_extend()
        if not self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode())):
            self.resize(1280, 800)

    def _initial_options(self) -> Options:
        s = self.settings
        engine = choose_engine(s, self.keys, None).name
        variations = max(1, min(MAX_VARIATIONS, s.variations))
        return Options(engine, s.mode, s.output_format, s.prompt, s.safety_tolerance, s.auto_crop,
                       variations, s.full_res)  # fmt: skip

    def _build(self) -> None:
        side = QWidget()
        side.setObjectName("sidePanel")
        column = QVBoxLayout(side)
        column.setContentsMargins(14, 12, 14, 12)
        column.setSpacing(8)
        column.addWidget(self.layout_panel)
        column.addSpacing(10)
        column.addWidget(self.options_panel, 1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(330)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.canvas, 1)
        centre_layout.addWidget(self.variations)
        splitter = QSplitter()
        splitter.addWidget(centre)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        dock = QDockWidget("History", self)
        dock.setObjectName("historyDock")
        dock.setWidget(self.history)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)  # fmt: skip
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [300], Qt.Orientation.Horizontal)
        self.history_dock = dock
        QTimer.singleShot(0, self._after_first_paint)
        self.statusBar().addPermanentWidget(self.cost.session)
        self.statusBar().addPermanentWidget(self.cost.balance)
        self.statusBar().showMessage("Drop an image on the canvas, or press Ctrl+O")

    def _after_first_paint(self) -> None:
        self.history.reload()  # the journal is read once the window is up
        self.update_cost()
        self.cost.refresh_balance(resolve_api_url(self.settings))

    def update_cost(self) -> None:
        records = self.history.model.records
        self.options_panel.estimate.setText(estimate_text(self.model.state, records))
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
        self.model.changed.connect(self.results.geometry_changed)
        self.options_panel.extend_button.clicked.connect(self.extend)
        self.options_panel.cancel_button.clicked.connect(self.jobs.cancel)
        self.options_panel.settings_requested.connect(self.open_settings)
        self.jobs.running_changed.connect(self.options_panel.show_running)
        self.jobs.running_changed.connect(self.update_extend)
        self.jobs.status.connect(self.options_panel.show_status)
        self.jobs.elapsed.connect(self.options_panel.show_elapsed)
        self.jobs.finished.connect(self._on_job_finished)
        self.jobs.finished.connect(self.variations.job_finished)  # after: it may override status
        self.jobs.variation_status.connect(self.variations.set_status)
        self.banner.action.connect(self._on_banner_action)
        self.history.reopen_layout.connect(self.reopen_layout)
        self.history.use_as_source.connect(self.open_image)
        self.history.export_requested.connect(self.export_record)

    # --- sources ----------------------------------------------------------------------------

    def open_image(self, path: str | Path) -> None:
        """Load a source as File › Open and a drop do: preview first, then the full image."""
        self.banner.hide()
        self.statusBar().showMessage(f"Opening {Path(str(path)).name}…")
        self.loader.load(str(path))

    @Slot(list)
    def _on_dropped(self, sources: list[str]) -> None:
        dropped = sources[0]
        params = None
        if not dropped.startswith(("http://", "https://")):
            from outpaint_studio.core.metadata import read_layout

            params = read_layout(Path(dropped))
        if params is not None and self.ask_restore_layout(Path(dropped)):
            source = find_source(params.input, Path(dropped), self.settings.recent_files)
            if source is not None:
                self.restore_layout(replace(params, input=str(source)))
                return
            self.statusBar().showMessage(f"The source {params.input} was not found", 8000)
        self.open_image(dropped)

    def ask_restore_layout(self, path: Path) -> bool:
        """Offer to restore an exported file's layout (tests replace this method)."""
        answer = QMessageBox.question(
            self, "Restore layout", f"{path.name} was made with {APP_NAME}. Open its source with "
            "the same canvas, placement and options?",
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def restore_layout(self, params: JobParams) -> None:
        """Open the job's source, then put its canvas, placement and options back."""
        self._pending_layout = params
        self.open_image(params.input)

    @Slot(object)
    def reopen_layout(self, record: JobRecord) -> None:
        source = find_source(record.params.input, None, self.settings.recent_files)
        if source is None:
            self.banner.show_message(f"The source {record.params.input} is gone", "warning")
            return
        self.restore_layout(replace(record.params, input=str(source)))

    @Slot(object)
    def export_record(self, record: JobRecord) -> None:
        from outpaint_studio.ui.history_model import image_path

        path = image_path(record)
        if path:
            self.results.export(path, record)

    @Slot(QImage)
    def open_qimage(self, image: QImage) -> None:
        """An image from the clipboard or a drop: kept as a PNG file, then opened."""
        path = self.results.store_pasted(image)
        if path is not None:
            self.open_image(path)

    @Slot(QImage, str, tuple)
    def _on_preview(self, image: QImage, path: str, size: tuple[int, int]) -> None:
        self.source = None
        self.results.clear()
        self.variations.clear()
        self.model.set_source(path, size)
        pending, self._pending_layout = self._pending_layout, None
        if pending is not None and same_file(pending.input, path):
            self.model.set_state(restored_state(self.model.state, pending))
        self.canvas.set_pixmap(QPixmap.fromImage(image))
        self.canvas.fit()
        self.update_extend()
        self.statusBar().showMessage(f"Loading {Path(path).name} at full size…")

    @Slot(object)
    def _on_loaded(self, source: SourceImage) -> None:
        self.source = source
        if self.model.state.source_size != source.size and source.path is not None:
            self.model.set_source(str(source.path), source.size)
        if source.path is not None:
            self.settings.add_recent(str(source.path))
        self.statusBar().showMessage(f"{Path(self.model.state.source_path or '').name}: "
                                     f"{source.size[0]} × {source.size[1]} px", 8000)  # fmt: skip
        self.update_extend()

    @Slot(QImage)
    def _on_refined(self, image: QImage) -> None:
        self.canvas.set_pixmap(QPixmap.fromImage(image))

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        self.statusBar().clearMessage()
        self.banner.show_message(message[0].upper() + message[1:], "error", kind="load")

    # --- extend -----------------------------------------------------------------------------

    def update_extend(self) -> None:
        problems = self.model.state.problems()
        if self.jobs.is_running():
            self.options_panel.set_extend_allowed(False, "")
        elif problems:
            self.options_panel.set_extend_allowed(False, problems[0])
        elif self.source is None:
            self.options_panel.set_extend_allowed(False, "Loading the full image…")
        else:
            self.options_panel.set_extend_allowed(True, "")

    def extend(self) -> None:
        if not self.options_panel.extend_button.isEnabled() or self.source is None:
            return
        self.banner.hide()
        url, count = resolve_api_url(self.settings), self.model.state.options.variations
        self.variations.begin(count)
        try:
            self.jobs.start(self.model.state.job_params(), self.source, url, count)
        except ConfigurationError as exc:
            self.variations.clear()
            message = str(exc)
            self.banner.show_message(message[0].upper() + message[1:], "error", "settings",
                                     "Open Settings", kind="config")  # fmt: skip

    def cancel(self) -> None:
        self.jobs.cancel()

    @Slot(object, QImage)
    def _on_job_finished(self, outcome: JobOutcome, image: QImage) -> None:
        panel = self.options_panel
        self.history.record_changed(outcome.key)
        self.update_cost()
        if outcome.engine == "bfl":
            self.cost.refresh_balance(resolve_api_url(self.settings))
        if outcome.succeeded:
            record = self.history.model.find(outcome.key)
            panel.show_status(done_text(record), 100)
            panel.status.setToolTip(change_text(record) if record else "")
            self.statusBar().showMessage(
                f"Result kept in {outcome.output_path} — Ctrl+S to save it elsewhere", 15000
            )
            if outcome.notice:
                self.banner.show_message(outcome.notice, "warning", kind="notice")
            return
        panel.show_status(outcome.state.capitalize(), 0)
        message = outcome.error or f"The job ended: {outcome.state}"
        if outcome.state == "cancelled":
            self.statusBar().showMessage("Cancelled", 5000)
            return
        if outcome.state == "submitted":
            self.banner.show_message(message, "warning", kind="submitted")
            return
        if outcome.error_kind == "moderated":
            message += " You were not charged; try another image or prompt."
        action, text = ERROR_ACTIONS.get(outcome.error_kind or "", ("", ""))
        if outcome.error_kind == "invalid_request" and self.model.state.pixels() > MAX_PIXELS:
            action, text = "fit", "Fit under 4 MP"
        self.banner.show_message(message, "error", action, text, kind=outcome.error_kind or "")

    @Slot(str)
    def _on_banner_action(self, action: str) -> None:
        self.banner.hide()
        if action == "settings":
            self.open_settings()
        elif action == "fit":
            self.layout_panel.fit()

    # --- settings and closing ---------------------------------------------------------------

    def open_settings(self) -> None:
        from outpaint_studio.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.keys, self)
        if dialog.exec():
            save_settings(self.settings)
            self.canvas.set_snapping(self.settings.snap)
            self.refresh_key_notice()
        dialog.deleteLater()

    def refresh_key_notice(self) -> None:
        self.options_panel.set_key_available(bool(self.keys.get()))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.jobs.shutdown()
        self.loader.shutdown()
        self.results.shutdown()
        self.history.shutdown()
        self.cost.shutdown()
        o = self.model.state.options
        s = self.settings
        s.mode, s.output_format, s.prompt = o.mode, o.output_format, o.prompt
        s.safety_tolerance, s.auto_crop = o.safety_tolerance, o.auto_crop
        s.variations, s.full_res = o.variations, o.full_res
        automatic = choose_engine(replace(s, engine="auto"), self.keys, None).name
        s.engine = "auto" if o.engine == automatic else o.engine
        s.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        with contextlib.suppress(OSError):
            save_settings(s)
        super().closeEvent(event)

    def update_result_actions(self) -> None:
        actions = getattr(self, "actions_", None)
        if actions is None:
            return
        has = self.results.has_result()
        for action in (actions.save, actions.copy, actions.use_as_source):
            action.setEnabled(has)
        actions.compare.setEnabled(has)

    def copy_result(self) -> None:
        image = self.results.image
        if image is not None:
            QGuiApplication.clipboard().setImage(image)
