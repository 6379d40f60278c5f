"""The journal as a Qt list model, with thumbnails decoded lazily off the GUI thread.

Only rows the view asks to paint get a thumbnail; decoding runs in a small thread pool with
Pillow's draft mode, and at most ``CACHE_SIZE`` pixmaps are kept (least recently used go).
"""

from __future__ import annotations

import functools
import os
import shlex
import time
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QImage, QPixmap

from outpaint_studio.core.jobs import (
    JobParams,
    JobRecord,
    JobState,
    Journal,
    display_cost,
    owner_alive,
)
from outpaint_studio.core.options import engine_words
from outpaint_studio.core.transitions import IN_FLIGHT, state_words

THUMB_SIDE = 88
CACHE_SIZE = 160  # pixmaps kept: about 160 x 88 x 88 x 4 bytes = 5 MB
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
IndexLike = QModelIndex | QPersistentModelIndex


def image_path(record: JobRecord) -> str | None:
    for name in (record.output_path, record.history_path):
        if name and Path(name).is_file():
            return name
    return None


def listed(record: JobRecord) -> bool:
    """Whether History shows the job. A cancelled job never reached the service (one it
    accepted stays collectable instead) and left nothing behind: it is not listed."""
    return record.state is not JobState.CANCELLED


def state_text(record: JobRecord, history_folder: Path) -> str:
    """The job's state in words; a job some process is working on is "Running" (not "Submitted,
    not collected"), and a result that is only in ``history_folder`` is not "Saved"."""
    if record.state in IN_FLIGHT and owner_alive(record.owner_pid):
        return "Running"
    output = record.output_path
    if record.state is JobState.SAVED and output and Path(output).parent == history_folder:
        return "Done, kept in history"
    return state_words(record.state)


@functools.lru_cache(maxsize=512)
def _image_size(path: str, _mtime_ns: int) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as opened:  # reads the header only
            return opened.size
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None  # the canvas's size is shown instead


def result_size(record: JobRecord) -> tuple[int, int]:
    """The result file's size (a full-resolution output is larger than the canvas), or the
    canvas's while there is no file."""
    path = image_path(record)
    size = None
    if path:
        try:
            size = _image_size(path, os.stat(path).st_mtime_ns)
        except OSError:
            size = None
    return size or (record.params.width, record.params.height)


def cost_text(record: JobRecord) -> str:
    if record.engine == "local":
        return "free"
    if record.state in (JobState.FAILED, JobState.CANCELLED) and not record.paid:
        return "not charged"  # the service never accepted it (a lost reply is UNCERTAIN)
    if record.billed == 0:
        return "not charged"  # moderated: the service does not bill it
    cost = display_cost(record.cost)
    return "cost unknown" if cost is None else f"{cost:g} credits"


def summary_line(record: JobRecord, history_folder: Path) -> str:
    width, height = result_size(record)
    engine = engine_words(record.engine).short
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.created_at))
    return (f"{width} × {height} · {engine} {record.params.mode} · {cost_text(record)}\n"
            f"{when} · {state_text(record, history_folder)}")  # fmt: skip


def change_text(record: JobRecord) -> str:
    """How much the engine altered the original's region, and what became of it, in words."""
    if not record.params.paste_back:
        return "Saved as the engine returned it (paste-back off)" if record.output_path else ""
    if not record.source_change:
        return ""
    mean, peak = record.source_change.get("mean", 0), record.source_change.get("max", 0)
    engine = engine_words(record.engine).subject
    if not peak:
        return f"{engine} left the original untouched"
    return (f"{engine} changed the original by {mean:.1f} on average (max {peak:.0f}); "
            "your pixels were put back")  # fmt: skip


def offline_command(p: JobParams) -> str:
    """The command line that makes an offline job's result again."""
    words = ["outpaint-studio", "extend", shlex.quote(p.input),
             "--width", str(p.width), "--height", str(p.height)]  # fmt: skip
    settings = (("--offset-x", p.offset_x, None), ("--offset-y", p.offset_y, None),
                ("--scale", p.scale, 1.0), ("--mode", p.mode, "high"),
                ("--format", p.output_format, "png"), ("--feather", p.feather, 8))  # fmt: skip
    for flag, value, default in settings:
        if value != default:
            words += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    flags = (("--auto-crop", p.auto_crop), ("--full-res", p.full_res and p.scale < 1),
             ("--no-paste-back", not p.paste_back))  # fmt: skip
    words += [flag for flag, given in flags if given]
    return " ".join([*words, "--engine", "local", "--seed", str(p.seed)])


def done_text(record: JobRecord | None) -> str:
    """The status after a saved job: one short line (the panel is narrow)."""
    return "Done" if record is None else f"Done · {cost_text(record)}"


def details_text(record: JobRecord, history_folder: Path, source: str) -> str:
    """What the History panel says of a job; ``source`` names its source (see
    ``Journal.source_name``)."""
    p = record.params
    lines = [
        summary_line(record, history_folder).replace("\n", " · "),
        f"Source: {source}" + (f" at {p.scale * 100:.1f} %" if p.scale != 1 else ""),
        f"Prompt: {p.prompt}" if p.prompt else "No prompt",
        f"Job id: {record.job_id or '—'}",
    ]
    if p.seed is not None:
        lines.append(f"Seed: {p.seed}, made again by: {offline_command(p)}")
    if change_text(record):
        lines.append(change_text(record))
    if record.error:
        lines.append(f"Message: {record.error}")
    return "\n".join(lines)


class ThumbSignals(QObject):
    done = Signal(str, QImage)  # key, thumbnail (null when unreadable)


class DecodeJob(QRunnable):
    """Decodes an image file no larger than ``box`` (width, height), off the GUI thread.

    Thumbnails run in the model's own small pool, not as workers (model/workers.py): a scroll
    through the list asks for hundreds of short decodes at once, which a pool of two threads
    queues and drops on ``shutdown``; a worker would start a thread for each. Whatever fails,
    ``done`` still comes, with a null image: the row keeps its placeholder, and is not left
    pending forever."""

    def __init__(self, key: str, path: str, box: tuple[int, int], signals: ThumbSignals) -> None:
        super().__init__()
        self.key, self.path, self.box, self.signals = key, path, box, signals

    def run(self) -> None:
        from PIL import Image

        from outpaint_studio.model.loader import to_qimage

        try:
            with Image.open(self.path) as opened:
                opened.draft("RGB", (self.box[0] * 2, self.box[1] * 2))
                opened.thumbnail(self.box, Image.Resampling.BILINEAR)
                image = to_qimage(opened)
        except Exception:  # any file that cannot be shown (bombs, damaged, odd plugins)
            image = QImage()
        self.signals.done.emit(self.key, image)


class HistoryModel(QAbstractListModel):
    """Journal records, newest first; ``history_folder`` is where the app keeps results."""

    def __init__(self, history_folder: Path, journal: Journal, parent: QObject | None = None
                 ) -> None:  # fmt: skip
        super().__init__(parent)
        self.history_folder = history_folder
        self.journal = journal
        self.records: list[JobRecord] = []
        self._rows: dict[str, int] = {}
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self.decoded = 0  # thumbnails decoded so far (for the benchmark)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._signals = ThumbSignals(self)
        self._signals.done.connect(self._on_thumb)
        self.previews = ThumbSignals(self)  # decode(): the image at the job's canvas size
        self._placeholder = QPixmap(THUMB_SIDE, THUMB_SIDE)
        self._placeholder.fill(QColor(128, 128, 128, 60))

    def set_records(self, records: list[JobRecord]) -> None:
        self.beginResetModel()
        shown = [r for r in records if listed(r)]
        self.records = sorted(shown, key=lambda r: r.created_at, reverse=True)
        self._rows = {r.key: i for i, r in enumerate(self.records)}
        self.endResetModel()

    def upsert(self, record: JobRecord) -> None:
        if not listed(record):
            self.remove(record.key)
            return
        row = self._rows.get(record.key)
        if row is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self.records.insert(0, record)
            self._rows = {r.key: i for i, r in enumerate(self.records)}
            self.endInsertRows()
            return
        self.records[row] = record
        self._cache.pop(record.key, None)
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def remove(self, key: str) -> None:
        row = self._rows.get(key)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.records[row]
        self._rows = {r.key: i for i, r in enumerate(self.records)}
        self._cache.pop(key, None)
        self.endRemoveRows()

    def details(self, record: JobRecord) -> str:
        source = self.journal.source_name(record.params.input)
        return details_text(record, self.history_folder, source)

    def row_of(self, key: str) -> int | None:
        return self._rows.get(key)

    def record_at(self, row: int) -> JobRecord | None:
        return self.records[row] if 0 <= row < len(self.records) else None

    def rowCount(self, parent: IndexLike = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.records)

    def data(self, index: IndexLike, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        record = self.record_at(index.row())
        if record is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return summary_line(record, self.history_folder)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.details(record)
        if role == Qt.ItemDataRole.ForegroundRole and record.state in (
            JobState.FAILED,
            JobState.UNCERTAIN,
        ):
            return QColor(200, 60, 60)
        if role == RECORD_ROLE:
            return record
        return None

    def _thumbnail(self, record: JobRecord) -> QPixmap:
        cached = self._cache.get(record.key)
        if cached is not None:
            self._cache.move_to_end(record.key)
            return cached
        path = image_path(record) if record.state in (JobState.SAVED, JobState.READY) else None
        if path and record.key not in self._pending:
            self._pending.add(record.key)
            self.pool.start(DecodeJob(record.key, path, (THUMB_SIDE, THUMB_SIDE), self._signals))
        return self._placeholder

    @Slot(str, QImage)
    def _on_thumb(self, key: str, image: QImage) -> None:
        self._pending.discard(key)
        self.decoded += 1
        row = self._rows.get(key)
        if row is None or image.isNull():
            return
        self._cache[key] = QPixmap.fromImage(image)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def decode(self, record: JobRecord) -> None:
        """Decode the job's image at its canvas size; ``previews.done`` brings it."""
        path = image_path(record)
        if path:
            box = (record.params.width, record.params.height)
            self.pool.start(DecodeJob(record.key, path, box, self.previews))

    def cached_thumbnails(self) -> int:
        return len(self._cache)

    def shutdown(self) -> None:
        self.pool.clear()
        self.pool.waitForDone()
