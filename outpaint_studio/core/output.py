"""The finished image: composed with the original, metadata embedded, written atomically."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from outpaint_studio.core import compose, metadata
from outpaint_studio.core.engine import EngineResult
from outpaint_studio.core.file_formats import extension
from outpaint_studio.core.files import write_atomic
from outpaint_studio.core.formats import file_part, resized_to
from outpaint_studio.core.images import encode_image
from outpaint_studio.core.jobs import JobParams, JobRecord
from outpaint_studio.core.source import Source, pixels

if TYPE_CHECKING:
    from outpaint_studio.core.placing import PlacedSource


def save_output(
    record: JobRecord,
    result: EngineResult,
    source: Source | None,
    placed: PlacedSource | None,
    history: Path,
) -> None:
    """Compose and write the finished image, plus its sidecar when asked."""
    image = finished_image(record, result, source, placed)
    write_output(record, output_bytes(record, result, image), history)


def finished_image(
    record: JobRecord,
    result: EngineResult,
    source: Source | None,
    placed: PlacedSource | None,
) -> Image.Image | None:
    """The finished image, as the output will have it; None when the output is the service's
    own bytes unchanged (no paste-back, no exact size), which keeps its content credentials.
    With paste-back, how much the engine altered the original goes into the record."""
    params = record.params
    if params.paste_back and source is not None and placed is not None:
        change = compose.measure_change(result.image, placed.scaled, placed.placement)
        record.source_change = asdict(change)
        image = output_composition(params, result.image, source, placed).compose()
    elif params.output_width is None:
        return None
    else:
        image = result.image
    return exact_output(params, image)


def output_bytes(record: JobRecord, result: EngineResult, image: Image.Image | None) -> bytes:
    """The output file's bytes: ``image`` (see ``finished_image``) encoded with the job's
    metadata embedded; the service's own bytes when there is no image, so only a sidecar can
    describe them."""
    fmt = record.params.output_format
    if image is None:
        return result.data or metadata.encode_with_metadata(result.image, fmt, record)
    return metadata.encode_with_metadata(image, fmt, record)


def exact_output(params: JobParams, image: Image.Image) -> Image.Image:
    """The finished image at the exact pixels a format target named (the original already pasted
    back), or unchanged."""
    if params.output_width is None or params.output_height is None:
        return image
    return resized_to(image, (params.output_width, params.output_height))


def output_composition(
    params: JobParams,
    result: Image.Image,
    source: Source,
    placed: PlacedSource,
) -> compose.Composition:
    """The result and the source as the output puts them together (full resolution when asked);
    with paste-back or without, this is where the original sits in the output. At full
    resolution a source given by its file is decoded whole here (raises ImageLoadError)."""
    if params.full_res and params.scale < 1:
        return compose.full_resolution_composition(
            result, pixels(source).image, placed.placement, params.scale, params.feather
        )
    return compose.Composition(result, placed.scaled, placed.placement, params.feather)


def write_output(record: JobRecord, data: bytes, history: Path) -> None:
    """Write the finished image (and its sidecar when asked) where the job says; never in part."""
    params = record.params
    target = output_target(params, record.key, history)
    written = write_atomic(data, target, overwrite=params.overwrite)
    record.output_path = str(written)
    if params.sidecar:
        metadata.write_sidecar(record, written)


def output_target(params: JobParams, key: str, history: Path) -> Path:
    """Where the finished image goes: ``-o``, ``--out-dir``, or the history folder."""
    if params.output:
        return Path(params.output)
    if params.out_dir:
        return Path(params.out_dir) / output_name(params.input, params.output_format, params.target)
    return history / f"{key}{extension(params.output_format)}"


def export_file(source: str, record: JobRecord | None, path: Path, fmt: str, overwrite: bool
                ) -> Path:  # fmt: skip
    """Encode the image file ``source`` as ``fmt`` with the job's parameters as metadata (when
    its record is known), written atomically."""
    with Image.open(source) as opened:
        opened.load()
        data = (metadata.encode_with_metadata(opened, fmt, record) if record is not None
                else encode_image(opened, fmt))  # fmt: skip
    return write_atomic(data, path, overwrite=overwrite)


def output_name(
    source: str | None, fmt: str, target: str | None = None, number: int | None = None
) -> str:
    """The name an output is saved under, beside its source's: "beach-extended.jpg",
    "beach-4x5.png" for a format target, "beach-extended-2.png" for a numbered variation."""
    part = file_part(target) if target else "extended"
    numbered = f"-{number}" if number is not None else ""
    return f"{Path(source or 'image').stem}-{part}{numbered}{extension(fmt)}"
