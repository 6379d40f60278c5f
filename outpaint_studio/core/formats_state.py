"""The Formats set, Qt-free: the targets the user ticked, the set's anchor, and each target's
layout (the default one from core geometry, or the user's edit of it on the canvas)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, replace

from outpaint_studio.core.editor import EditorState, Geometry
from outpaint_studio.core.format_sets import SavedSet
from outpaint_studio.core.formats import (
    FORMAT_GROUPS,
    Target,
    TargetError,
    for_target,
    layout_for,
    parse_anchor,
    parse_target,
)
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.layout import Anchor

CUSTOM = "Custom"  # the use of a target the user added


@dataclass(frozen=True)
class FormatEntry:
    target: Target
    use: str  # what it is for: "Story", "Banners", "Custom"
    ticked: bool = False
    edited: Geometry | None = None  # the user's layout; None: the default one

    @property
    def label(self) -> str:
        return self.target.label


def default_geometry(source_size: tuple[int, int], target: Target, anchor: Anchor) -> Geometry:
    layout = layout_for(source_size, target, anchor)
    p = layout.placement
    return Geometry(p.canvas_width, p.canvas_height, layout.scale, p.offset_x, p.offset_y)


@dataclass(frozen=True)
class FormatSet:
    entries: tuple[FormatEntry, ...]
    anchor: Anchor = "center"

    @classmethod
    def presets(cls) -> FormatSet:
        return cls(tuple(FormatEntry(target, use) for use, group in FORMAT_GROUPS
                         for target in group))  # fmt: skip

    @classmethod
    def restored(cls, ticked: list[str], added: list[str], anchor: str) -> FormatSet:
        """The set as the user left it (see ``added``): the targets they added, the ticks and
        the anchor; what does not parse (an edited settings file) is left out."""
        formats = cls.presets()
        with suppress(TargetError):
            formats = formats.with_anchor(parse_anchor(anchor))
        for label in added:
            with suppress(TargetError):
                formats = formats.with_custom(parse_target(label))
        entries = tuple(replace(e, ticked=e.label in ticked) for e in formats.entries)
        return replace(formats, entries=entries)

    def added(self) -> list[str]:
        """The labels of the targets the user added to the presets."""
        return [e.label for e in self.entries if e.use == CUSTOM]

    def entry(self, label: str) -> FormatEntry | None:
        return next((e for e in self.entries if e.label == label), None)

    def ticked(self) -> list[FormatEntry]:
        return [e for e in self.entries if e.ticked]

    def _with(self, label: str, **changes: object) -> FormatSet:
        entries = tuple(replace(e, **changes) if e.label == label else e for e in self.entries)  # type: ignore[arg-type]
        return replace(self, entries=entries)

    def with_ticked(self, label: str, ticked: bool) -> FormatSet:
        return self._with(label, ticked=ticked)

    def with_edit(self, label: str, geometry: Geometry | None) -> FormatSet:
        return self._with(label, edited=geometry)

    def with_custom(self, target: Target) -> FormatSet:
        """The target added and ticked (only ticked when it is already in the set)."""
        present = next((e for e in self.entries if e.target == target), None)
        if present is not None:
            return self.with_ticked(present.label, True)
        return replace(self, entries=(*self.entries, FormatEntry(target, CUSTOM, True)))

    def with_anchor(self, anchor: Anchor) -> FormatSet:
        """Another anchor for the set: every target's layout goes back to its default there."""
        return replace(self, anchor=anchor, entries=tuple(replace(e, edited=None)
                                                          for e in self.entries))  # fmt: skip

    def saved(self) -> SavedSet:
        """The ticked targets and the anchor, to keep under a name."""
        return SavedSet(tuple(e.label for e in self.ticked()), self.anchor)

    def with_saved(self, saved: SavedSet) -> FormatSet:
        """Exactly a saved set's targets ticked (its custom ones added), at its anchor."""
        unticked = replace(self, entries=tuple(replace(e, ticked=False) for e in self.entries))
        formats = unticked.with_anchor(saved.anchor)
        for label in saved.targets:
            formats = formats.with_custom(parse_target(label))
        return formats

    def without_edits(self) -> FormatSet:
        return self.with_anchor(self.anchor)

    def geometry(self, entry: FormatEntry, source_size: tuple[int, int]) -> Geometry:
        return entry.edited or default_geometry(source_size, entry.target, self.anchor)

    def job_params(self, state: EditorState, entry: FormatEntry) -> JobParams:
        """The job for one target: the editor's options with that target's layout."""
        if state.source_size is None:
            raise ValueError("no source")
        laid_out = replace(state, geometry=self.geometry(entry, state.source_size))
        return for_target(laid_out.job_params(), entry.target)
