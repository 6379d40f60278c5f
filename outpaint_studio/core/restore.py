"""Restoring a layout: from a history record, or from an exported file dropped back in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from outpaint_studio.core.editor import EditorState, Geometry
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.options import options_from_params


def restored_state(state: EditorState, params: JobParams) -> EditorState:
    """``state`` (its source already loaded) with the canvas, placement and options of a job."""
    options = options_from_params(params, state.options)
    return replace(state, geometry=layout_of(params), options=options)


def layout_of(params: JobParams) -> Geometry:
    """The canvas and placement a job was made on."""
    return Geometry(params.width, params.height, params.scale, params.offset_x, params.offset_y)


def find_source(name: str, near: Path | None, recent: list[str]) -> Path | None:
    """The job's source file: as recorded, beside ``near``, or a recent file of that name."""
    recorded = Path(name)
    candidates = [recorded] if recorded.is_absolute() else []
    if near is not None:
        candidates.append(near.parent / recorded.name)
    candidates += [Path(p) for p in recent if Path(p).name == recorded.name]
    return next((p for p in candidates if p.is_file()), None)


def same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
