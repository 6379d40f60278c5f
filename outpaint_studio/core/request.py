"""The outpainting request: the API contract in code, checked before anything is sent."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Final

from outpaint_studio.core.file_formats import OUTPUT_FORMATS
from outpaint_studio.core.layout import MAX_PIXELS, MIN_SIDE, Placement, megapixels

MODES: Final = ("high", "fast")
SAFETY_RANGE: Final = range(0, 6)
DEFAULT_SAFETY: Final = 2


class RequestError(ValueError):
    """One field the service would reject, with what to do about it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class InvalidRequest(ValueError):
    """Every problem found in a request, joined into one message."""

    def __init__(self, problems: list[RequestError]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def encode_image_bytes(data: bytes) -> str:
    """Raw base64 as the service wants it (no ``data:`` prefix)."""
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class OutpaintRequest:
    """Mirrors ``FluxOutpaintingInputs`` field for field.

    ``source_size`` is not sent: it is the reference image's pixel size, needed to check that
    the source does not hang off the canvas when ``auto_crop`` is off.
    """

    input_image: str
    width: int
    height: int
    auto_crop: bool = False
    safety_tolerance: int = DEFAULT_SAFETY
    output_format: str | None = "png"
    prompt: str | None = None
    reference_offset_x: int | None = None
    reference_offset_y: int | None = None
    mode: str = "high"
    source_size: tuple[int, int] | None = field(default=None, repr=False)

    def __repr__(self) -> str:  # never print a multi-megabyte base64 string
        return (
            f"OutpaintRequest({self.width}x{self.height}, offset=({self.reference_offset_x}, "
            f"{self.reference_offset_y}), mode={self.mode}, format={self.output_format})"
        )

    def placement(self) -> Placement | None:
        if self.source_size is None:
            return None
        return Placement(
            self.source_size[0],
            self.source_size[1],
            self.width,
            self.height,
            self.reference_offset_x,
            self.reference_offset_y,
        )

    def problems(self) -> list[RequestError]:
        found = list(_type_problems(self))
        if found:
            return found
        found += _range_problems(self)
        placement = self.placement()
        if placement is not None:
            found += placement_problems(placement, self.auto_crop)
        return found

    def validate(self) -> OutpaintRequest:
        found = self.problems()
        if found:
            raise InvalidRequest(found)
        return self

    def to_payload(self) -> dict[str, Any]:
        """The JSON body: spec fields only; a centred axis is left out (null on the service)."""
        self.validate()
        payload: dict[str, Any] = {
            "input_image": self.input_image,
            "width": self.width,
            "height": self.height,
            "auto_crop": self.auto_crop,
            "safety_tolerance": self.safety_tolerance,
            "output_format": self.output_format,
            "mode": self.mode,
        }
        if self.prompt:
            payload["prompt"] = self.prompt
        if self.reference_offset_x is not None:
            payload["reference_offset_x"] = self.reference_offset_x
        if self.reference_offset_y is not None:
            payload["reference_offset_y"] = self.reference_offset_y
        return payload


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_problems(request: OutpaintRequest) -> list[RequestError]:
    found = []
    if not isinstance(request.input_image, str) or not request.input_image:
        found.append(RequestError("input_image", "input_image: no source image was given"))
    elif request.input_image.startswith("data:"):
        found.append(
            RequestError("input_image", "input_image: send raw base64, without a data: prefix")
        )
    for name in ("width", "height", "safety_tolerance"):
        if not _is_int(getattr(request, name)):
            found.append(RequestError(name, f"{name}: must be a whole number"))
    for name in ("reference_offset_x", "reference_offset_y"):
        value = getattr(request, name)
        if value is not None and not _is_int(value):
            found.append(RequestError(name, f"{name}: must be a whole number or empty (centred)"))
    if not isinstance(request.auto_crop, bool):
        found.append(RequestError("auto_crop", "auto_crop: must be true or false"))
    if request.prompt is not None and not isinstance(request.prompt, str):
        found.append(RequestError("prompt", "prompt: must be text"))
    return found


def _range_problems(request: OutpaintRequest) -> list[RequestError]:
    found = []
    for name in ("width", "height"):
        value = getattr(request, name)
        if value < MIN_SIDE:
            found.append(
                RequestError(name, f"{name}: {value} px is too small; the minimum is {MIN_SIDE} px")
            )
    pixels = request.width * request.height
    if pixels > MAX_PIXELS:
        found.append(
            RequestError(
                "width",
                f"the canvas is {request.width}x{request.height} = {megapixels(pixels):.2f} MP, "
                f"over the 4 MP limit ({MAX_PIXELS:,} px): shrink the canvas or scale the source "
                "down",
            )
        )
    if request.safety_tolerance not in SAFETY_RANGE:
        found.append(
            RequestError(
                "safety_tolerance",
                f"safety_tolerance: {request.safety_tolerance} is out of range; use 0 (strict) "
                "to 5 (permissive)",
            )
        )
    if request.mode not in MODES:
        found.append(RequestError("mode", f"mode: {request.mode!r} is not one of high, fast"))
    if request.output_format is not None and request.output_format not in OUTPUT_FORMATS:
        found.append(
            RequestError(
                "output_format",
                f"output_format: {request.output_format!r} is not one of png, jpeg, webp",
            )
        )
    return found


def placement_problems(placement: Placement, auto_crop: bool = False) -> list[RequestError]:
    """Where the source lies off the canvas, with the fix; auto-crop allows only a part off.

    Every edge the source hangs off is named in one message ("120 px off the right and 16 px
    off the bottom"); a source with nothing on the canvas is refused even with auto-crop.
    """
    if placement.visible_box().is_empty():
        return [RequestError("reference_offset_x", "nothing of the source is on the canvas: "
                             "move it onto the canvas")]  # fmt: skip
    if auto_crop:
        return []
    hang = placement.overhang()
    edges = [
        (f"{pixels} px off the {edge}", field_name)
        for edge, pixels, field_name in (
            ("left", hang.left, "reference_offset_x"),
            ("right", hang.right, "reference_offset_x"),
            ("top", hang.top, "reference_offset_y"),
            ("bottom", hang.bottom, "reference_offset_y"),
        )
        if pixels
    ]
    if not edges:
        return []
    where = ", ".join(text for text, _ in edges[:-1])
    where = f"{where} and {edges[-1][0]}" if where else edges[0][0]
    fix = "move it, enlarge the canvas, scale it down, or allow auto-crop"
    return [RequestError(edges[0][1], f"the source hangs {where}: {fix}")]
