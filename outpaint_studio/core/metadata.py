"""What an export says about itself: its parameters as PNG text, XMP, or a JSON sidecar.

Only an explicit list of fields leaves the app (never the key, never polling URLs, never local
folders: the source is named by its file name alone), so a shared image tells how it was made
and nothing about the machine or account that made it.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args, get_type_hints
from xml.sax.saxutils import escape, unescape

from PIL import Image, PngImagePlugin

from outpaint_studio import APP_NAME, __version__
from outpaint_studio.core.decode import ImageLoadError, decoding
from outpaint_studio.core.file_formats import pillow_format
from outpaint_studio.core.files import write_atomic
from outpaint_studio.core.images import encode_image
from outpaint_studio.core.jobs import JobParams, JobRecord, display_cost

PNG_KEY = "outpaint-studio"  # the iTXt chunk holding the compact JSON
SIDECAR_SUFFIX = ".json"
MAX_JPEG_XMP = 65_000  # one APP1 segment holds 65,533 bytes, with its header
XMP_NAMESPACE = "https://outpaint.studio/ns/1.0/"
XMP_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
XMP_UNENTITIES = {value: key for key, value in XMP_ENTITIES.items()}
XMP_PARAMETERS = re.compile(
    rb'outpaint:parameters="([^"]*)"|<outpaint:parameters>([^<]*)</outpaint:parameters>'
)
# Where the output goes is the local machine's business, not the image's.
LOCAL_FIELDS = frozenset({"input", "output", "out_dir", "overwrite", "sidecar"})
LAYOUT_FIELDS = tuple(f.name for f in fields(JobParams) if f.name not in LOCAL_FIELDS)
PARAM_TYPES = get_type_hints(JobParams)


def export_metadata(record: JobRecord) -> dict[str, object]:
    """The fields an export carries: layout, engine, job, cost, date and app version."""
    params = record.params
    layout = {name: getattr(params, name) for name in LAYOUT_FIELDS}
    created = datetime.fromtimestamp(record.created_at, UTC)
    return {
        "software": f"{APP_NAME} {__version__}",
        "version": __version__,
        "job": record.key,
        "job_id": record.job_id,
        "cost": display_cost(record.cost),
        "date": created.isoformat(timespec="seconds"),
        "source": Path(params.input).name,
        **layout,
    }


def metadata_json(record: JobRecord) -> str:
    return json.dumps(export_metadata(record), separators=(",", ":"), ensure_ascii=False)


def encode_with_metadata(image: Image.Image, fmt: str, record: JobRecord) -> bytes:
    """``image`` encoded as ``fmt`` with the record's metadata embedded."""
    if pillow_format(fmt) == "PNG":
        return encode_image(image, fmt, pnginfo=png_text(record))
    packet = xmp_packet(record)
    if pillow_format(fmt) == "JPEG" and len(packet) > MAX_JPEG_XMP:
        packet = b""  # a prompt too long for one JPEG segment: only a sidecar can carry it
    return encode_image(image, fmt, xmp=packet or None)


def png_text(record: JobRecord) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", f"{APP_NAME} {__version__}")
    info.add_itxt(PNG_KEY, metadata_json(record))
    return info


def xmp_packet(record: JobRecord) -> bytes:
    """An XMP packet: standard creator tool and date, plus our JSON as one attribute."""
    data = export_metadata(record)
    attributes = {
        "xmp:CreatorTool": str(data["software"]),
        "xmp:CreateDate": str(data["date"]),
        "outpaint:parameters": metadata_json(record),
    }
    text = " ".join(f'{name}="{escape(value, XMP_ENTITIES)}"' for name, value in attributes.items())
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f'xmlns:outpaint="{XMP_NAMESPACE}" {text}/>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def sidecar_path(image_path: Path) -> Path:
    """``NAME.EXT.json`` beside ``NAME.EXT``."""
    return image_path.with_name(image_path.name + SIDECAR_SUFFIX)


def write_sidecar(record: JobRecord, image_path: Path) -> Path:
    """Write the record's metadata as JSON beside ``image_path``, atomically."""
    data = json.dumps(export_metadata(record), indent=2, ensure_ascii=False) + "\n"
    return write_atomic(data.encode(), sidecar_path(image_path), overwrite=True)


def read_metadata(path: Path) -> dict[str, Any] | None:
    """The metadata embedded in an exported image, else in its sidecar; None when neither."""
    embedded = _embedded_json(path)
    if embedded is None:
        try:
            embedded = sidecar_path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    try:
        data = json.loads(embedded)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def read_layout(path: Path) -> JobParams | None:
    """The layout stored in an exported PNG, JPEG or WebP (or its sidecar); None if none.

    ``input`` is the source's file name as exported (no folder); output fields are defaults.
    """
    data = read_metadata(Path(path))
    if data is None or not isinstance(data.get("source"), str):
        return None
    values: dict[str, Any] = {}
    for name in LAYOUT_FIELDS:
        if name in data:
            if not _fits(name, data[name]):
                return None
            values[name] = data[name]
    try:
        return JobParams(input=data["source"], **values)
    except TypeError:  # a required field (width, height) is missing
        return None


def delete_job_files(record: JobRecord, history_folder: Path) -> list[Path]:
    """Remove the record's files in ``history_folder`` (the raw result, an output kept there,
    and their sidecars); files elsewhere are the user's and stay. Returns what was removed."""
    history = history_folder.resolve()
    removed = []
    for name in (record.history_path, record.output_path):
        if not name:
            continue
        path = Path(name)
        for candidate in (path, sidecar_path(path)):
            if not candidate.resolve().is_relative_to(history):
                continue
            try:
                candidate.unlink()
            except FileNotFoundError:
                continue
            removed.append(candidate)
    return removed


def _embedded_json(path: Path) -> str | None:
    try:
        with decoding(path.name), Image.open(path) as image:
            text = image.info.get(PNG_KEY)
            xmp = image.info.get("xmp")
    except ImageLoadError:  # any file may be dropped: one that Pillow cannot open has no layout
        return None
    if isinstance(text, str):
        return text
    if isinstance(xmp, bytes):
        found = XMP_PARAMETERS.search(xmp)
        if found:
            raw = (found.group(1) or found.group(2) or b"").decode("utf-8", "replace")
            return unescape(raw, XMP_UNENTITIES)
    return None


def _fits(name: str, value: object) -> bool:
    """Whether ``value`` has the type the JobParams field ``name`` declares."""
    allowed = get_args(PARAM_TYPES[name]) or (PARAM_TYPES[name],)
    if isinstance(value, bool) and bool not in allowed:
        return False
    if isinstance(value, int) and float in allowed:
        return True
    return any(isinstance(value, kind) for kind in allowed if isinstance(kind, type))
