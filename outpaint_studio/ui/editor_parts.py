"""What the editor window is built from, gathered so that the window can import it lazily,
after its first paint."""

from outpaint_studio.core.options import options_from_settings, remember_options
from outpaint_studio.core.restore import find_source, restored_state, same_file
from outpaint_studio.core.words import sentence
from outpaint_studio.model.editor import EditorModel
from outpaint_studio.model.errors import ErrorModel, UserError
from outpaint_studio.model.formats_run import FormatsRun
from outpaint_studio.model.jobs import JobController
from outpaint_studio.model.loader import Loader
from outpaint_studio.model.results import Results
from outpaint_studio.model.workers import Workers
from outpaint_studio.session import Session
from outpaint_studio.ui.actions import EditorActions
from outpaint_studio.ui.banner import Banner
from outpaint_studio.ui.body import (
    ACROSS,
    HISTORY_AREA,
    editor_body,
    history_dock,
    history_width,
    tab_with,
)
from outpaint_studio.ui.canvas import CanvasView
from outpaint_studio.ui.cost_view import CostView, estimate_text
from outpaint_studio.ui.formats_editor import FormatsEditor
from outpaint_studio.ui.history import HistoryPanel
from outpaint_studio.ui.keyboard import CanvasKeys
from outpaint_studio.ui.layered_export import LayeredExport
from outpaint_studio.ui.options_panel import OptionsPanel
from outpaint_studio.ui.panel import LayoutPanel
from outpaint_studio.ui.qt_home import keep_qt_settings_home
from outpaint_studio.ui.results import ResultKeeper
from outpaint_studio.ui.variations import VariationsBar

__all__ = [
    "ACROSS",
    "HISTORY_AREA",
    "Banner",
    "CanvasKeys",
    "CanvasView",
    "CostView",
    "EditorActions",
    "EditorModel",
    "ErrorModel",
    "FormatsEditor",
    "FormatsRun",
    "HistoryPanel",
    "JobController",
    "LayeredExport",
    "LayoutPanel",
    "Loader",
    "OptionsPanel",
    "ResultKeeper",
    "Results",
    "Session",
    "UserError",
    "VariationsBar",
    "Workers",
    "editor_body",
    "estimate_text",
    "find_source",
    "history_dock",
    "history_width",
    "keep_qt_settings_home",
    "options_from_settings",
    "remember_options",
    "restored_state",
    "same_file",
    "sentence",
    "tab_with",
]
