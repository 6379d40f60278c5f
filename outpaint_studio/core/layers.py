"""A finished job as layers: what was generated, the original as it was put back, and where.

Bottom to top: "Generated" (the service's image, at the output's size), "Original" (the source
at its place, its alpha the weight the paste-back gave it: the feather band, times the source's
own alpha) and a hidden "Generated area" (white where generated, black where the original shows).
The stack's ``flat`` image is the flat export's, pixel for pixel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageChops

from outpaint_studio.core.compose import source_weights, visible_source
from outpaint_studio.core.formats import resized_to
from outpaint_studio.core.images import SourceImage
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.output import exact_output, output_composition
from outpaint_studio.core.placing import PlacedSource

GENERATED = "Generated"
ORIGINAL = "Original"
GENERATED_AREA = "Generated area"


@dataclass(frozen=True)
class Layer:
    name: str
    image: Image.Image  # RGB; RGBA for the original; L for the generated area
    left: int = 0
    top: int = 0
    visible: bool = True


@dataclass(frozen=True)
class LayerStack:
    layers: tuple[Layer, ...]  # bottom to top
    flat: Image.Image  # RGB: what the flat export shows
    generated_area: Image.Image  # L: 255 generated, 0 the original's own, graded in the band

    @property
    def size(self) -> tuple[int, int]:
        return self.flat.size


def layer_stack(
    params: JobParams,
    result: Image.Image,
    source: SourceImage,
    placed: PlacedSource,
) -> LayerStack:
    """The layers of a job whose service image is ``result``. With the source wholly off the
    canvas there is no "Original" layer, and all of it counts as generated.

    Without paste-back the flat export is the service's image as delivered, so the "Original"
    layer is there, at that size, but hidden.
    """
    generated = result.convert("RGB")
    if placed.placement.visible_box().is_empty():
        area = Image.new("L", generated.size, 255)
        return _at_output_size(params, _stack(generated, None, area), generated)
    if not params.paste_back:
        params = replace(params, full_res=False)
    composition = output_composition(params, generated, source, placed)
    placement = composition.placement
    weights = source_weights(composition.source, placement, composition.feather)
    alpha = Image.fromarray(np.rint(weights * 255).astype(np.uint8), "L")
    box = placement.visible_box()
    original = visible_source(composition.source, placement).convert("RGB")
    original.putalpha(alpha)
    area = Image.new("L", composition.result.size, 255)
    area.paste(ImageChops.invert(alpha), (box.left, box.top))
    flat = composition.compose() if params.paste_back else generated
    pasted = Layer(ORIGINAL, original, box.left, box.top, visible=params.paste_back)
    return _at_output_size(params, _stack(composition.result, pasted, area), flat)


def _at_output_size(params: JobParams, layers: tuple[Layer, ...], flat: Image.Image) -> LayerStack:
    """The stack at the flat export's size: a format target's exact pixels scale every layer
    as they scaled the flat image."""
    flat = exact_output(params, flat)
    width, height = layers[0].image.size
    if flat.size != (width, height):
        sx, sy = flat.width / width, flat.height / height
        layers = tuple(_scaled(layer, sx, sy) for layer in layers)
    return LayerStack(layers, flat, generated_area=layers[-1].image)  # the top layer


def _scaled(layer: Layer, sx: float, sy: float) -> Layer:
    left, top = round(layer.left * sx), round(layer.top * sy)
    right = max(left + 1, round((layer.left + layer.image.width) * sx))
    bottom = max(top + 1, round((layer.top + layer.image.height) * sy))
    image = resized_to(layer.image, (right - left, bottom - top))
    return replace(layer, image=image, left=left, top=top)


def _stack(generated: Image.Image, original: Layer | None, area: Image.Image) -> tuple[Layer, ...]:
    bottom = Layer(GENERATED, generated)
    top = Layer(GENERATED_AREA, area, visible=False)
    return (bottom, original, top) if original is not None else (bottom, top)
