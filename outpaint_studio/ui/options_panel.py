"""Generation options and the Extend area: engine, mode, format, prompt, safety; progress."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outpaint_studio.core.file_formats import FILE_FORMATS
from outpaint_studio.core.options import ENGINES
from outpaint_studio.model.editor import EditorModel
from outpaint_studio.ui.bind import bind
from outpaint_studio.ui.widgets import (
    caption,
    fill_combo,
    hint,
    named,
    spin,
)

MODE_HINTS = {
    "high": "High: best quality, slower.",
    "fast": "Fast: quicker and cheaper, a little less detail.",
}
# The words for each option's values: the one mapping the panel and Settings both show.
MODES = (("high", "High quality"), ("fast", "Fast"))
FORMATS = tuple((fmt.name, fmt.label) for fmt in FILE_FORMATS.values())


class OptionsPanel(QWidget):
    """The options bound to the model, plus Extend/Cancel and the job's progress.

    The options scroll with the side panel; ``run_area`` (Extend, variations, Cancel, status,
    cost) is a widget of its own, placed below the scrolling part so it is always in view.

    Signals:
        settings_requested(): the user followed the "add a key" link.
    """

    settings_requested = Signal()

    def __init__(self, model: EditorModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption("Generation"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.engine = named(QComboBox(), "engineCombo", "Engine that generates the new parts")
        fill_combo(self.engine, tuple((name, words.label) for name, words in ENGINES.items()))
        form.addRow("Engine", self.engine)
        self.key_notice = named(QLabel(), "offlineNotice", "Offline engine notice")
        self.key_notice.setWordWrap(True)
        self.key_notice.linkActivated.connect(lambda _link: self.settings_requested.emit())
        form.addRow(self.key_notice)
        self.mode = fill_combo(named(QComboBox(), "modeCombo", "Generation mode"), MODES)
        self.mode_hint = hint()
        form.addRow("Mode", self.mode)
        form.addRow(self.mode_hint)
        self.format = fill_combo(named(QComboBox(), "formatCombo", "Output format"), FORMATS)
        form.addRow("Format", self.format)
        self.prompt = named(QLineEdit(), "promptEdit", "Prompt (optional, experimental)")
        self.prompt.setPlaceholderText("Optional — experimental")
        self.prompt.setClearButtonEnabled(True)
        form.addRow("Prompt", self.prompt)
        self.safety = named(spin(0, 5), "safetySpin", "Safety tolerance: 0 strict to 5 permissive")
        form.addRow("Safety", self.safety)
        layout.addLayout(form)
        layout.addStretch(1)
        self.run_area = named(QWidget(), "runArea", "Extend, Cancel and the job's progress")
        self.run_area.setLayout(self._run_area())
        for control, field in ((self.engine, "engine"), (self.mode, "mode"),
                               (self.format, "output_format"), (self.prompt, "prompt"),
                               (self.safety, "safety_tolerance"),
                               (self.variations, "variations")):  # fmt: skip
            bind(control, model.options_changed, partial(self._option, field),
                 partial(self._set_option, field))  # fmt: skip
        model.options_changed.connect(self._show_options)
        self._show_options()

    def _run_area(self) -> QVBoxLayout:
        area = QVBoxLayout()
        area.setContentsMargins(14, 6, 14, 10)
        self.reason = named(QLabel(), "extendReason", "Why Extend is unavailable")
        self.reason.setWordWrap(True)
        area.addWidget(self.reason)
        self.estimate = named(hint(), "costEstimate", "Output size and estimated credits")
        area.addWidget(self.estimate)
        self.status = named(QLabel(), "jobStatus", "Job state")
        self.status.setWordWrap(True)
        self.elapsed = named(QLabel(), "jobElapsed", "Seconds since the job started")
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.elapsed)
        area.addLayout(status_row)
        self.progress = named(QProgressBar(), "jobProgress", "Job progress")
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        area.addWidget(self.progress)
        buttons = QHBoxLayout()
        self.extend_button = named(QPushButton("Extend"), "extendButton", "Extend (Ctrl+Enter)")
        self.extend_button.setDefault(True)
        self.extend_button.setMinimumHeight(36)
        font = QFont(self.extend_button.font())
        font.setBold(True)
        self.extend_button.setFont(font)
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        hover, pressed = accent.lighter(115).name(), accent.darker(115).name()
        self.extend_button.setStyleSheet(
            "QPushButton#extendButton:enabled { background: palette(highlight);"
            " color: palette(highlighted-text); border: none; border-radius: 4px; }"
            f"QPushButton#extendButton:enabled:hover {{ background: {hover}; }}"
            f"QPushButton#extendButton:enabled:pressed {{ background: {pressed}; }}"
        )
        self.cancel_button = named(QPushButton("Cancel"), "cancelButton", "Cancel the job (Esc)")
        self.cancel_button.setMinimumHeight(36)
        self.cancel_button.setEnabled(False)
        self.variations = named(spin(1, 8), "variationsSpin",
                                "Variations: how many results one Extend makes (1-8)")  # fmt: skip
        self.variations.setPrefix("× ")
        self.variations.setMinimumHeight(36)
        buttons.addWidget(self.extend_button, 2)
        buttons.addWidget(self.variations)
        buttons.addWidget(self.cancel_button, 1)
        area.addLayout(buttons)
        return area

    def set_key_available(self, available: bool) -> None:
        if available:
            self.key_notice.setText("")
            self.key_notice.hide()
        else:
            self.key_notice.setText(
                "No FLUX key: results come from the offline engine. "
                "<a href='settings'>Add a key in Settings…</a>"
            )
            self.key_notice.show()

    def _option(self, field: str) -> Any:
        return getattr(self.model.state.options, field)

    def _set_option(self, field: str, value: Any) -> None:
        self.model.set_options(**{field: value})

    def _show_options(self) -> None:
        """What follows from the options besides the bound controls."""
        o = self.model.state.options
        self.extend_button.setText("Extend" if o.variations == 1 else f"Extend {o.variations}")
        self.mode_hint.setText(MODE_HINTS.get(o.mode, ""))
        is_bfl = o.engine == "bfl"
        self.prompt.setEnabled(is_bfl)
        self.safety.setEnabled(is_bfl)

    def show_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)
            self.elapsed.setText("0 s")

    def show_status(self, text: str, percent: int) -> None:
        self.status.setText(text)
        if percent < 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(percent)

    def clear_status(self) -> None:
        """Forget the last job's words and time (another image, another result)."""
        self.status.setText("")
        self.status.setToolTip("")
        self.elapsed.setText("")

    def show_elapsed(self, seconds: float) -> None:
        self.elapsed.setText(f"{seconds:.0f} s")

    def set_extend_allowed(self, allowed: bool, reason: str, to_fix: bool = True) -> None:
        """``to_fix``: the reason is a problem of the layout (red), not a step still to come
        (no image yet, the image loading)."""
        self.extend_button.setEnabled(allowed)
        self.reason.setText(reason)
        self.reason.setStyleSheet(f"color: {'#c0392b' if to_fix else 'palette(placeholder-text)'};")
        self.reason.setVisible(bool(reason))
