"""Settings: the API key (with a credit check in the background), region, defaults, folders."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from outpaint_studio.core.settings import FEATHER_RANGE, REGIONS, KeyStore, Settings, clamp_feather
from outpaint_studio.model.workers import Worker, Workers
from outpaint_studio.ui.cost_view import balance_check, check_failure_text
from outpaint_studio.ui.dialogs import Dialogs
from outpaint_studio.ui.options_panel import FORMATS, MODES
from outpaint_studio.ui.widgets import fill_combo, named, set_combo_data, spin

REGION_NAMES = (("global", "Global"), ("eu", "Europe"), ("us", "United States"),
                ("custom", "Custom URL"))  # fmt: skip


class SettingsDialog(QDialog):
    """The settings, applied on Save. "Check key" asks for the typed key's balance through
    ``workers``; closing the dialog does not wait for the answer."""

    def __init__(
        self,
        settings: Settings,
        keys: KeyStore,
        workers: Workers,
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.keys = keys
        self.workers = workers
        self.dialogs = dialogs
        self._check: Worker | None = None
        self._checked_key = ""
        form = QFormLayout(self)
        key, source = keys.get_with_source()
        self.key_edit = named(QLineEdit(key or ""), "apiKeyEdit", "BFL API key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste your BFL API key")
        self.check_button = named(QPushButton("Check key"), "checkKeyButton", "Show credits")
        row = QHBoxLayout()
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.check_button)
        form.addRow("API key", row)
        self.key_status = named(QLabel(), "keyStatus", "Result of the key check")
        if source == "environment":
            self.key_status.setText("The key comes from BFL_API_KEY in the environment.")
            self.key_edit.setEnabled(False)
        form.addRow("", self.key_status)
        self.region = named(QComboBox(), "regionCombo", "API region")
        fill_combo(self.region, REGION_NAMES)
        self.region.setCurrentIndex(max(0, self.region.findData(settings.region)))
        self.custom_url = named(QLineEdit(settings.custom_api_url), "customUrlEdit", "API URL")
        self.custom_url.setPlaceholderText("https://…")
        form.addRow("Region", self.region)
        form.addRow("Custom URL", self.custom_url)
        self.mode = fill_combo(named(QComboBox(), "defaultMode", "Default mode"), MODES)
        set_combo_data(self.mode, settings.mode)
        form.addRow("Default mode", self.mode)
        self.format = named(QComboBox(), "defaultFormat", "Default output format")
        fill_combo(self.format, FORMATS)
        set_combo_data(self.format, settings.output_format)
        form.addRow("Default format", self.format)
        self.safety = named(spin(0, 5), "defaultSafety", "Default safety tolerance")
        self.safety.setValue(settings.safety_tolerance)
        form.addRow("Default safety", self.safety)
        self.folder = named(QLineEdit(settings.output_dir), "outputFolderEdit", "Save folder")
        browse = named(QPushButton("Browse…"), "browseFolderButton", "Choose the save folder")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form.addRow("Output folder", folder_row)
        self.snap = named(QCheckBox("Snap to edges, centre and 16 px grid"), "snapCheck",
                          "Snapping while dragging")  # fmt: skip
        self.snap.setChecked(settings.snap)
        form.addRow("", self.snap)
        self.paste_back = named(QCheckBox("Keep the original's pixels (paste back)"),
                                "pasteBackCheck", "Put the source's own pixels back in the "
                                "result; off: save the service's bytes unchanged")  # fmt: skip
        self.paste_back.setChecked(settings.paste_back)
        form.addRow("", self.paste_back)
        self.feather = named(
            spin(*FEATHER_RANGE, 1, " px"),
            "featherSpin",
            "Blend band at the original's edge, {} to {} px (0: hard paste)".format(*FEATHER_RANGE),
        )
        self.feather.setValue(clamp_feather(settings.feather))
        form.addRow("Blend band", self.feather)
        self.paste_back.toggled.connect(self.feather.setEnabled)
        self.feather.setEnabled(settings.paste_back)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.check_button.clicked.connect(self._check_key)
        self.region.currentIndexChanged.connect(self._region_changed)
        self._region_changed()

    def _region_changed(self) -> None:
        self.custom_url.setEnabled(self.region.currentData() == "custom")

    def _url(self) -> str:
        data = self.region.currentData()
        if data == "custom":
            return self.custom_url.text().strip() or REGIONS["global"]
        return REGIONS.get(data, REGIONS["global"])

    def _browse(self) -> None:
        folder = self.dialogs.folder("Output folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _check_key(self) -> None:
        if self._check is not None:
            return
        key = self.key_edit.text().strip()
        if not key:
            self._answer(False, "Type or paste a key first")
            return
        self.key_status.setText("Checking…")
        self.check_button.setEnabled(False)
        self._checked_key = key
        self._check = self.workers.start(
            balance_check(key, self._url()),
            "credit check",
            returned=self._on_credits,
            errored=self._on_failed,
        )
        self._check.finished.connect(self._on_check_finished)

    @Slot(object)
    def _on_credits(self, credits: float) -> None:
        self._answer(True, f"Key works: {credits:g} credits left")

    @Slot(object)
    def _on_failed(self, exc: Exception) -> None:
        self._answer(False, check_failure_text(exc, self._checked_key))

    @Slot()
    def _on_check_finished(self) -> None:
        self._check = None
        self.check_button.setEnabled(True)

    def _answer(self, ok: bool, text: str) -> None:
        self.key_status.setText(text)
        self.key_status.setStyleSheet("" if ok else "color: #c0392b;")

    def done(self, result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            self.apply()
        super().done(result)

    def apply(self) -> None:
        s = self.settings
        s.region = self.region.currentData()
        s.custom_api_url = self.custom_url.text().strip()
        s.mode = self.mode.currentData()
        s.output_format = self.format.currentData()
        s.safety_tolerance = self.safety.value()
        s.output_dir = self.folder.text().strip()
        s.snap = self.snap.isChecked()
        s.paste_back = self.paste_back.isChecked()
        s.feather = self.feather.value()
        if self.key_edit.isEnabled():
            key = self.key_edit.text().strip()
            if key and key != (self.keys.get() or ""):
                self.keys.set(key)
            elif not key:
                self.keys.clear()
