"""Words for the stages a running job reports, shared by the command line and the editor."""

from __future__ import annotations

RUNNING_STAGES = {
    "preparing": "Preparing",
    "submitting": "Submitting",
    "queued": "Queued",
    "generating": "Generating",
    "downloading": "Downloading",
    "saving": "Saving",
}


def stage_text(stage: str, fraction: float | None, words: dict[str, str] = RUNNING_STAGES) -> str:
    """ "Generating 40 %", "Queued", ...; unknown stages are capitalised as they are."""
    text = words.get(stage, stage.capitalize())
    if fraction is not None and stage == "generating":
        return f"{text} {round(fraction * 100)} %"
    return text
