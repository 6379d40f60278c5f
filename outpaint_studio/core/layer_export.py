"""Handing a finished job on: its layers as PSD or OpenRaster, its generated area as a mask.

Both are rebuilt from what the job kept: the service's image in the history folder and the
source where the job read it, composed exactly as the flat export was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from outpaint_studio.core.files import write_atomic
from outpaint_studio.core.images import ImageLoadError, decode_image, load_image
from outpaint_studio.core.jobs import JobRecord
from outpaint_studio.core.layers import LayerStack, layer_stack
from outpaint_studio.core.metadata import encode_with_metadata
from outpaint_studio.core.placing import place
from outpaint_studio.core.words import reason

Encoder = Callable[[LayerStack, JobRecord], bytes]
LAYER_FORMATS = ("psd", "ora")
MASK_SUFFIX = "-mask.png"


class LayerExportError(Exception):
    """A job whose layers cannot be exported, with a one-line message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def job_layers(record: JobRecord) -> LayerStack:
    """The job's layers, from its kept result and its source (raises LayerExportError)."""
    if not record.history_path:
        raise LayerExportError("this job has no result to export layers from")
    try:
        result = decode_image(Path(record.history_path).read_bytes(), "the kept result")
    except OSError as exc:
        raise LayerExportError(f"the kept result cannot be read: {reason(exc)}") from None
    except ImageLoadError as exc:
        raise LayerExportError(exc.message) from None
    try:
        source = load_image(record.params.input)
    except ImageLoadError as exc:
        raise LayerExportError(f"the source is needed for the layers: {exc.message}") from None
    return layer_stack(record.params, result.image, source, place(record.params, source))


def hand_on(record: JobRecord, layers: str | None, mask: bool) -> dict[str, str | None]:
    """Write a saved job's layers (``layers``: psd or ora) and mask beside its output, replacing
    files only if the job may; returns where, by kind (raises LayerExportError)."""
    if not record.output_path:
        raise LayerExportError("the job has no output to put the layers beside")
    output = Path(record.output_path)
    stack = job_layers(record)
    overwrite = record.params.overwrite
    written: dict[str, str | None] = {"layers": None, "mask": None}
    if layers:
        written["layers"] = str(write_layers(stack, record, layers_path(output, layers), overwrite))
    if mask:
        written["mask"] = str(write_mask(stack, record, mask_path(output), overwrite))
    return written


def write_layers(stack: LayerStack, record: JobRecord, target: Path, overwrite: bool) -> Path:
    """Write the stack as ``target``'s format (.psd or .ora); returns the path written."""
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in LAYER_FORMATS:
        raise LayerExportError(f"{target.name}: layers are exported as .psd or .ora")
    try:
        data = _encoder(fmt)(stack, record)
    except ValueError as exc:
        raise LayerExportError(str(exc)) from None
    return _write(data, target, overwrite)


def write_mask(stack: LayerStack, record: JobRecord, target: Path, overwrite: bool) -> Path:
    """Write the generated area as a greyscale PNG; returns the path written."""
    return _write(encode_with_metadata(stack.generated_area, "png", record), target, overwrite)


def layers_path(output: Path, fmt: str) -> Path:
    """``NAME.psd`` or ``NAME.ora`` beside the flat export ``NAME.EXT``."""
    return output.with_suffix(f".{fmt}")


def mask_path(output: Path) -> Path:
    """``NAME-mask.png`` beside the flat export ``NAME.EXT``."""
    return output.with_name(output.stem + MASK_SUFFIX)


def _encoder(fmt: str) -> Encoder:
    """The writer of ``fmt``, imported when first needed (psd-tools takes 0.5 s to import)."""
    if fmt == "psd":
        from outpaint_studio.core.psd import encode_psd

        return encode_psd
    from outpaint_studio.core.ora import encode_ora

    return encode_ora


def _write(data: bytes, target: Path, overwrite: bool) -> Path:
    try:
        return write_atomic(data, target, overwrite=overwrite)
    except OSError as exc:
        raise LayerExportError(f"cannot write {target.name}: {reason(exc)}") from None
