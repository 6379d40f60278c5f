"""The output file formats, in one table: their names, extensions, labels and Pillow names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileFormat:
    name: str  # what jobs, the service and the command line call it: "jpeg"
    label: str  # what people read: "JPEG"
    pillow: str  # what Pillow calls it: "JPEG"
    suffixes: tuple[str, ...]  # the first is the one written

    @property
    def extension(self) -> str:
        return self.suffixes[0]

    @property
    def dialog_filter(self) -> str:
        """The file dialog's filter: "JPEG image (*.jpg *.jpeg)"."""
        return f"{self.label} image ({' '.join('*' + suffix for suffix in self.suffixes)})"


FILE_FORMATS: dict[str, FileFormat] = {
    fmt.name: fmt
    for fmt in (
        FileFormat("png", "PNG", "PNG", (".png",)),
        FileFormat("jpeg", "JPEG", "JPEG", (".jpg", ".jpeg")),
        FileFormat("webp", "WebP", "WEBP", (".webp",)),
    )
}
OUTPUT_FORMATS = tuple(FILE_FORMATS)  # png, jpeg, webp
DEFAULT_FORMAT = "png"


def file_format(name: str) -> FileFormat:
    """The format called ``name``, in any case, or by a suffix's word ("jpg"); KeyError if none."""
    found = FILE_FORMATS.get(name.lower()) or FILE_FORMATS.get(format_for_suffix("." + name) or "")
    if found is None:
        raise KeyError(name)
    return found


def extension(fmt: str) -> str:
    """The extension a file of format ``fmt`` is written with: ".jpg" for jpeg. A format of no
    known name (an odd one the service sent) is written under its own name."""
    try:
        return file_format(fmt).extension
    except KeyError:
        return "." + fmt.lower()


def pillow_format(fmt: str) -> str:
    """What Pillow calls format ``fmt``; KeyError if it is none of ours."""
    return file_format(fmt).pillow


def format_for_suffix(suffix: str) -> str | None:
    """The format a file name's suffix says (".JPEG" -> "jpeg"), or None."""
    suffix = suffix.lower()
    return next((fmt.name for fmt in FILE_FORMATS.values() if suffix in fmt.suffixes), None)


def format_for_path(path: str | Path) -> str | None:
    """The format a file's name says, or None."""
    return format_for_suffix(Path(path).suffix)


def format_for_filter(dialog_filter: str) -> str | None:
    """The format a file dialog's chosen filter names, or None."""
    return next((f.name for f in FILE_FORMATS.values() if f.dialog_filter == dialog_filter), None)


def dialog_filters() -> list[str]:
    """Every format's file dialog filter."""
    return [fmt.dialog_filter for fmt in FILE_FORMATS.values()]
