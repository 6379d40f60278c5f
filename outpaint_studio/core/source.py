"""A job's source: in memory (the editor's), or known by its file until a step needs its pixels.

A file is read for its size at once; each step that needs pixels decodes it then, no larger
than that step needs, and lets it go: a batch waiting on the service holds no decoded photos.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from outpaint_studio.core.decode import decoding, open_checked, open_file, oriented_size
from outpaint_studio.core.images import SourceImage, load_image

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
BIG_BLOCK = 1 << 20


def give_back_big_blocks() -> None:
    """Make freed blocks of 1 MiB and more (decoded photos) go back to the system at once.

    glibc otherwise raises this threshold to the size of the first big block freed, and keeps
    later ones in the arena of the thread that freed them: a batch's workers, decoding in turn,
    would each keep a photo's worth (measured: 12 workers each decoding 20 MP photos whole, one
    per core at a time, peaked at 1.15 GB, and at 0.30 GB with this). Elsewhere: nothing.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # a libc without mallopt
            ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, BIG_BLOCK)


give_back_big_blocks()


@dataclass(frozen=True)
class SourceFile:
    path: Path
    size: tuple[int, int]  # the original's, orientation applied


Source = SourceImage | SourceFile


def open_source(path: str | os.PathLike[str]) -> SourceFile:
    """The file's size, from its header (nothing decoded yet), or :class:`ImageLoadError`."""
    path = Path(path)
    handle, size_in_bytes = open_file(path)
    with handle, decoding(path.name):
        return SourceFile(path, oriented_size(open_checked(handle, path.name, size_in_bytes)))


def pixels(source: Source, at_least: tuple[int, int] | None = None) -> SourceImage:
    """The source's pixels: a file's decoded now, covering ``at_least`` (all of them when
    None); an in-memory source's as they are. Raises :class:`ImageLoadError`."""
    if isinstance(source, SourceImage):
        return source
    return load_image(source.path, at_least)
