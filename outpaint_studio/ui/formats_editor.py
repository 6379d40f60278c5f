"""Formats in the editor: a target's layout on the main canvas, Extend all, the contact sheet and
Export all. Holds the FormatSet; the dock and the sheet only show it and say what was done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from outpaint_studio.core.editor import Geometry
from outpaint_studio.core.format_sets import load_sets, save_sets, sets_path
from outpaint_studio.core.formats import TargetError, parse_target
from outpaint_studio.core.formats_state import FormatEntry, FormatSet
from outpaint_studio.core.output import export_file, output_target
from outpaint_studio.core.settings import save_folder
from outpaint_studio.core.transitions import state_words
from outpaint_studio.core.words import reason, sentence
from outpaint_studio.model.editor import EditorModel
from outpaint_studio.model.errors import UserError
from outpaint_studio.model.formats_run import FormatsRun, TargetJob
from outpaint_studio.model.history import HistoryModel
from outpaint_studio.model.jobs import JobOutcome
from outpaint_studio.session import Session
from outpaint_studio.ui.dialogs import Dialogs
from outpaint_studio.ui.formats_dock import FormatsDock
from outpaint_studio.ui.formats_sheet import ContactSheet

if TYPE_CHECKING:
    from outpaint_studio.core.images import SourceImage


class FormatsEditor(QObject):
    """While a target is shown, every edit on the canvas (drag, handles, anchors, scale, undo)
    is that target's layout, with undo steps of its own; "Back to my layout" returns to the
    editor's own.

    It edits the editor ``model``, runs targets through ``run``, estimates from the ``history``'s
    records, reads ``source()``, the loaded source (None while loading), takes the API, the
    journal and the settings from the ``session``, and asks the user through ``dialogs``. Its
    two docks, ``dock`` and ``sheet``, are placed by the window (each in its ``DOCK_AREA``).

    Signals:
        record_changed(str): a target's job was journaled anew (its key).
        result_chosen(object, QImage): a tile's JobOutcome and image, to show on the canvas.
        status_message(str, int): words for the status bar and how long to show them (ms).
    """

    record_changed = Signal(str)
    result_chosen = Signal(object, QImage)
    status_message = Signal(str, int)

    def __init__(
        self,
        model: EditorModel,
        run: FormatsRun,
        history: HistoryModel,
        session: Session,
        dialogs: Dialogs,
        source: Callable[[], SourceImage | None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.history = history
        self.session = session
        self.dialogs = dialogs
        self.source = source
        settings = session.settings
        self.formats = FormatSet.restored(settings.formats_ticked, settings.formats_added,
                                          settings.formats_anchor)  # fmt: skip
        self.active: str | None = None
        self._own_layout: Geometry | None = None  # the editor's layout while a target is shown
        self.run = run
        run.setParent(self)
        self.dock = FormatsDock(parent)
        self.sheet = ContactSheet(parent)
        self.dock.hide()  # View › Formats
        self.sheet.hide()  # shown by Extend all
        self.saved_sets = load_sets(sets_path())
        self._connect()
        self._show_set()
        self.dock.show_sets(sorted(self.saved_sets))

    def _connect(self) -> None:
        dock, sheet, run = self.dock, self.sheet, self.run
        dock.target_clicked.connect(self._on_target_clicked)
        dock.ticked.connect(self._on_ticked)
        dock.custom_entered.connect(self.add_custom)
        dock.anchor_chosen.connect(self._on_anchor)
        dock.set_chosen.connect(self.choose_set)
        dock.save_set_requested.connect(self.save_set)
        dock.main_layout_requested.connect(self.show_own_layout)
        dock.extend_all_requested.connect(self.extend_all)
        dock.cancel_all_requested.connect(run.cancel)
        run.status.connect(dock.set_status)
        run.status.connect(sheet.set_status)
        run.variation_status.connect(sheet.set_tile_status)
        run.composed.connect(sheet.job_composed)
        run.finished.connect(self._on_finished)
        run.running_changed.connect(dock.set_running)
        sheet.tile_selected.connect(self._on_tile_selected)
        sheet.redo_requested.connect(self.redo)
        sheet.cancel_requested.connect(run.cancel)
        sheet.export_requested.connect(self.export_all)
        self.model.source_changed.connect(self._on_source_changed)
        self.model.changed.connect(self._on_model_changed)

    # --- the set --------------------------------------------------------------------------

    def _show_set(self) -> None:
        self.dock.show_set(self.formats, self.model.state.source_size, self.active)
        self._update_cost()

    @Slot(str, bool)
    def _on_ticked(self, label: str, ticked: bool) -> None:
        self.formats = self.formats.with_ticked(label, ticked)
        self.dock.show_error("")  # why the last Extend all could not start may no longer hold
        self._update_cost()

    @Slot(str)
    def add_custom(self, text: str) -> None:
        try:
            target = parse_target(text)
        except TargetError as exc:
            self.dock.show_error(sentence(str(exc)))
            return
        self.dock.show_error("")
        self.dock.custom.clear()
        self.formats = self.formats.with_custom(target)
        self._show_set()

    @Slot(str)
    def _on_anchor(self, anchor: str) -> None:
        self.formats = self.formats.with_anchor(anchor)  # type: ignore[arg-type]
        self.model.forget_layouts()  # every target's layout went back to its default
        self._show_set()
        if self.active is not None:
            self.show_target(self.active)

    @Slot(str)
    def choose_set(self, name: str) -> None:
        saved = self.saved_sets.get(name)
        if saved is not None:
            self.formats = self.formats.with_saved(saved)
            self.model.forget_layouts()
            self._show_set()
            if self.active is not None:
                self.show_target(self.active)

    @Slot()
    def save_set(self) -> None:
        """The ticked formats and the anchor, kept under the name the user gives."""
        name = self.dialogs.text("Save set", "Name of this set:").strip()
        if not name:
            return
        self.saved_sets[name] = self.formats.saved()
        try:
            save_sets(self.saved_sets, sets_path())
        except OSError as exc:
            message = f"The set could not be saved: {reason(exc)}"
            self.run.errors.report(UserError(message, kind="formats"))
            return
        self.dock.show_sets(sorted(self.saved_sets))

    @Slot()
    def _on_source_changed(self) -> None:
        self.active, self._own_layout = None, None
        self.formats = self.formats.without_edits()
        self.sheet.clear()
        self.sheet.hide()
        self.dock.clear_status()
        self._show_set()

    def _megapixels(self, entries: list[FormatEntry]) -> float:
        """The output megapixels of one job of each of ``entries``."""
        from outpaint_studio.core.cost import output_megapixels

        size = self.model.state.source_size
        sizes = [self.formats.geometry(e, size) for e in entries] if size else []
        return sum(output_megapixels(g.canvas_width, g.canvas_height) for g in sizes)

    def _credits(self, entries: list[FormatEntry]) -> float | None:
        """The estimate for one job of each of ``entries``: None until a FLUX job of the mode
        has been priced."""
        from outpaint_studio.core.cost import estimate_credits

        options = self.model.state.options
        mp = self._megapixels(entries)
        return estimate_credits(self.history.records, options.mode, mp, options.engine)

    def _update_cost(self) -> None:
        state, ticked = self.model.state, self.formats.ticked()
        count = state.options.variations
        if state.source_size is None or not ticked:
            self.dock.cost.setText(f"{len(ticked)} formats ticked")
            return
        credits = self._credits(ticked)
        jobs = f"{len(ticked)} formats × {count}"
        if state.options.engine != "bfl":
            self.dock.cost.setText(f"{jobs} · free (offline)")
        elif credits is None:
            mp = self._megapixels(ticked) * count
            self.dock.cost.setText(f"{jobs} · {mp:.2f} MP · price known after the first job")
        else:
            self.dock.cost.setText(f"{jobs} ≈ {round(credits * count, 3):g} credits")

    def _price_accepted(self, entries: list[FormatEntry]) -> bool:
        """Several FLUX jobs at a price not known yet (no job of the mode priced so far) start
        only once the user says so; the first job's price makes every later estimate known."""
        options = self.model.state.options
        jobs = len(entries) * options.variations
        if options.engine != "bfl" or jobs < 2 or self._credits(entries) is not None:
            return True
        mp = self._megapixels(entries) * options.variations
        question = (f"What a FLUX {options.mode} job costs is known only once the first one is "
                    f"priced. Start {jobs} jobs ({mp:.2f} MP in all)?")  # fmt: skip
        return self.dialogs.confirm("Extend all", question, action="Extend all")

    # --- a target's layout on the canvas --------------------------------------------------

    @Slot(str)
    def show_target(self, label: str) -> None:
        entry, size = self.formats.entry(label), self.model.state.source_size
        if entry is None or size is None:
            return
        if self.active is None:
            self._own_layout = self.model.state.geometry
        self.active = label
        self.dock.show_current(label)
        self.model.set_geometry_live(self.formats.geometry(entry, size))
        self.model.use_layout(label)

    @Slot(str)
    def _on_target_clicked(self, label: str) -> None:
        """A target's layout on the canvas, with its result in place if the sheet has one (the
        sheet then marks the result the canvas shows)."""
        self.show_target(label)
        self.sheet.select_label(label)

    @Slot()
    def show_own_layout(self) -> None:
        if self.active is None or self._own_layout is None:
            return
        self.active = None
        self.dock.show_current(None)
        self.model.set_geometry_live(self._own_layout)
        self.model.use_layout(None)

    @Slot()
    def _on_model_changed(self) -> None:
        state = self.model.state
        entry = self.formats.entry(self.active) if self.active else None
        size = state.source_size
        if entry is not None and size and state.geometry != self.formats.geometry(entry, size):
            self.formats = self.formats.with_edit(entry.label, state.geometry)
            self.dock.set_thumb(entry.label, state.geometry, size)
        self._update_cost()

    # --- Extend all, redo -----------------------------------------------------------------

    @Slot()
    def extend_all(self) -> None:
        self._start(self.formats.ticked())

    @Slot(str)
    def redo(self, label: str) -> None:
        entry = self.formats.entry(label)
        if entry is not None:
            self._start([entry])

    def _start(self, entries: list[FormatEntry]) -> None:
        state, source = self.model.state, self.source()
        why_not = self.run.why_not_start(state, self.formats, entries, source is not None)
        self.dock.show_error(why_not or "")
        if why_not is not None or source is None or not self._price_accepted(entries):
            return
        count = state.options.variations
        jobs = [TargetJob(e.label, self.formats.job_params(state, e), count) for e in entries]
        if self.run.start(jobs, source, self.session.api_url()):  # else: the banner says why
            self.sheet.begin([e.label for e in entries], count)

    @Slot(str, object, QImage)
    def _on_finished(self, label: str, outcome: JobOutcome, image: QImage) -> None:
        self.sheet.job_finished(label, outcome, image)
        self.dock.set_status(label, "Done" if outcome.succeeded else state_words(outcome.state))
        self.record_changed.emit(outcome.key)

    @Slot(str)
    def _on_tile_selected(self, key: str) -> None:
        """The target's layout on the canvas, with the tile's result in place (before/after
        applies)."""
        tile = self.sheet.tiles.get(key)
        if tile is None:
            return
        self.show_target(tile.label)
        if tile.ready and tile.outcome and tile.image:
            self.result_chosen.emit(tile.outcome, tile.image)

    # --- Export all -----------------------------------------------------------------------

    @Slot()
    def export_all(self) -> list[Path]:
        """Every result not discarded into one folder, named by its format, with its metadata;
        nothing is replaced (a taken name gets the next free one)."""
        outcomes = [t.outcome for t in self.sheet.exportable() if t.outcome]
        journal = self.session.journal
        files = [(o.output_path, journal.find(o.key)) for o in outcomes if o.output_path]
        start = str(save_folder(self.session.settings, self.model.state.source_path))
        folder = self.dialogs.folder("Export every format", start) if files else ""
        if not folder:
            return []
        written, renamed = [], []
        for image, record in files:
            if record is None:
                continue
            params = replace(record.params, output=None, out_dir=folder)
            path = output_target(params, record.key, self.session.history)
            try:
                written.append(export_file(image, record, path, params.output_format,
                                           overwrite=False))  # fmt: skip
            except (OSError, ValueError) as exc:
                self.run.errors.report(UserError(f"Could not export {path.name}: {reason(exc)}",
                                                 kind="export"))  # fmt: skip
                break
            if written[-1] != path:
                renamed.append(written[-1].name)
        self.session.settings.last_save_dir = folder
        self.status_message.emit(_exported_words(len(written), folder, renamed), 8000)
        return written

    def shutdown(self) -> None:
        """Stop the runs; the settings keep the set for the next start."""
        self.run.shutdown()
        settings = self.session.settings
        settings.formats_added = self.formats.added()
        settings.formats_ticked = [entry.label for entry in self.formats.ticked()]
        settings.formats_anchor = self.formats.anchor


def _exported_words(count: int, folder: str, renamed: list[str]) -> str:
    """What Export all did; files already there are never replaced, so say which got new names."""
    words = f"Exported {count} format{'' if count == 1 else 's'} to {folder}"
    if not renamed:
        return words
    taken = "1 name was" if len(renamed) == 1 else f"{len(renamed)} names were"
    return f"{words}; {taken} taken, written as {renamed[0]}" + (", …" if len(renamed) > 1 else "")
