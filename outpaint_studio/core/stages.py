"""Words for the stages a running job reports, shared by the command line and the editor."""

from __future__ import annotations

from outpaint_studio.core.words import sentence

RUNNING_STAGES = {
    "preparing": "Preparing",
    "submitting": "Submitting",
    "queued": "Queued",
    "generating": "Generating",
    "reconnecting": "No answer from the service, retrying",
    "downloading": "Downloading",
    "saving": "Saving",
}


def stage_text(stage: str, fraction: float | None, words: dict[str, str] = RUNNING_STAGES) -> str:
    """ "Generating 40 %", "Queued", ...; a stage of no known name (a status word the service
    sent, such as "Reasoning") is shown as it is, with its progress; never above 100 %."""
    known = stage in words
    text = words.get(stage, sentence(stage))
    if fraction is not None and (stage == "generating" or not known):
        return f"{text} {round(min(1.0, max(0.0, fraction)) * 100)} %"
    return text
