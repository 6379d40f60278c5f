"""Saved format sets: the targets a user ticks together and their anchor, under a name
("Social", "Print"), kept in one JSON file beside the settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from outpaint_studio.core.files import write_atomic
from outpaint_studio.core.formats import TargetError, parse_anchor, parse_target
from outpaint_studio.core.layout import Anchor
from outpaint_studio.core.settings import config_dir

SETS_SCHEMA = 1


@dataclass(frozen=True)
class SavedSet:
    targets: tuple[str, ...]  # target labels: "4:5", "1080x1350"
    anchor: Anchor = "center"


def sets_path() -> Path:
    return config_dir() / "format-sets.json"


def load_sets(path: Path) -> dict[str, SavedSet]:
    """The saved sets; a missing or unreadable file gives none, a bad entry is left out."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["sets"].items()
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    sets = {}
    for name, entry in entries:
        try:
            labels = tuple(parse_target(label).label for label in entry["targets"])
            sets[str(name)] = SavedSet(labels, parse_anchor(entry.get("anchor", "center")))
        except (TargetError, KeyError, TypeError, AttributeError):
            continue
    return sets


def save_sets(sets: dict[str, SavedSet], path: Path) -> None:
    data = {"schema": SETS_SCHEMA, "sets": {name: {"targets": list(s.targets),
                                                   "anchor": s.anchor}
                                            for name, s in sets.items()}}  # fmt: skip
    write_atomic(json.dumps(data, indent=1).encode(), path, overwrite=True)
