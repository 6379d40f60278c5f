"""Writing files safely: never half a file, never over an existing one unless asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def unique_path(path: Path) -> Path:
    """``path`` if free, else ``name-1.ext``, ``name-2.ext``... (never an existing file)."""
    if not path.exists():
        return path
    counter = 1
    while True:
        candidate = path.with_name(f"{path.stem}-{counter}{path.suffix}")
        if not candidate.exists():
            return candidate
        counter += 1


def write_atomic(data: bytes, path: Path, overwrite: bool = False) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then move it into place.

    Without ``overwrite`` an existing file is never replaced: the next free name is used.
    Returns the path actually written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        if overwrite:
            os.replace(tmp, path)
            return path
        while True:
            target = unique_path(path)
            try:
                os.link(tmp, target)  # fails if someone else took the name meanwhile
            except FileExistsError:
                continue
            except OSError:  # no hard links on this file system
                os.replace(tmp, target)
                return target
            tmp.unlink()
            return target
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
