"""Decoded pixels to what the app works with: 8-bit RGB, or RGBA when there is transparency."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from PIL import Image

if TYPE_CHECKING:  # numpy loads only for deep images: showing a photo does not need it
    import numpy as np

DEEP_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
ALPHA_MODES = ("RGBA", "RGBa", "LA", "PA")
BAND_PIXELS = 1 << 18  # deep images are reduced to 8 bits this many pixels at a time


def normalise_mode(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has real transparency."""
    image = to_8bit(image)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    elif image.mode == "La":  # Pillow converts premultiplied grey only to LA
        image = image.convert("LA")
    if image.mode in ALPHA_MODES:
        opaque = alpha_range(image)[0] == 255
        if opaque:
            return image.convert("RGB")
        return image if image.mode == "RGBA" else image.convert("RGBA")
    if image.mode == "CMYK":
        return _cmyk_to_rgb(image)
    return image if image.mode == "RGB" else image.convert("RGB")


def alpha_range(image: Image.Image) -> tuple[int, int]:
    """The lowest and highest alpha of an image with an alpha band (the last), with no copy."""
    bands = cast("tuple[tuple[int, int], ...]", image.getextrema())
    return bands[-1]


def to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit greys to 8 bits, in bands: integers by their range, floats by the extent
    of their finite values (NaN counts as 0, infinities as the nearest finite extreme)."""
    if image.mode not in DEEP_MODES:
        return image
    import numpy as np

    low, high = _value_range(image)
    scale = 255.0 / ((high - low) or 1.0)
    reduced = Image.new("L", image.size)
    for top, band in _bands(image):
        values = band.astype("float32")
        if image.mode == "F":
            np.nan_to_num(values, copy=False, nan=0.0, posinf=high, neginf=low)
        values *= scale  # scaled before shifted: float32 holds any float's scaled value
        values -= low * scale
        values.clip(0.0, 255.0, out=values)
        reduced.paste(Image.fromarray(values.round().astype("uint8"), "L"), (0, top))
    return reduced


def _value_range(image: Image.Image) -> tuple[float, float]:
    if image.mode == "F":
        return _finite_extent(image)
    if image.mode == "I" and image.getextrema()[1] <= 255:  # type: ignore[operator]
        return 0.0, 255.0
    return 0.0, 65535.0


def _finite_extent(image: Image.Image) -> tuple[float, float]:
    import numpy as np

    low, high = np.inf, -np.inf
    for _, band in _bands(image):
        finite = band[np.isfinite(band)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    return (low, high) if low <= high else (0.0, 0.0)


def _bands(image: Image.Image) -> Iterator[tuple[int, np.ndarray]]:
    """(top row, pixel array) for horizontal bands of about :data:`BAND_PIXELS` pixels."""
    import numpy as np

    rows = max(1, BAND_PIXELS // image.width)
    for top in range(0, image.height, rows):
        bottom = min(image.height, top + rows)
        yield top, np.asarray(image.crop((0, top, image.width, bottom)))


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if profile:
        try:
            from PIL import ImageCms

            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(image, source_profile, srgb, outputMode="RGB")
            if converted is not None:
                return converted
        except (OSError, ImageCms.PyCMSError):
            pass
    return image.convert("RGB")
