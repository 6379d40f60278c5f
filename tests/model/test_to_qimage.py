"""A result crosses to the GUI thread as a QImage: an RGB one at 3 bytes a pixel (five format
results are held at once), the same pixels; one with transparency keeps it."""

from __future__ import annotations

from photos import photo_like
from PySide6.QtGui import QColor, QImage

from outpaint_studio.model.loader import to_qimage


def test_an_rgb_result_is_held_at_three_bytes_a_pixel_with_the_same_pixels() -> None:
    image = photo_like(201, 67)  # an odd width: rows that are not a multiple of 4 bytes
    qimage = to_qimage(image)
    assert qimage.format() == QImage.Format.Format_RGB888 and not qimage.hasAlphaChannel()
    assert qimage.sizeInBytes() <= (201 * 3 + 3) * 67
    for x, y in [(0, 0), (200, 66), (117, 31), (3, 60)]:
        assert QColor(qimage.pixel(x, y)).getRgb()[:3] == image.getpixel((x, y))


def test_a_transparent_result_keeps_its_alpha() -> None:
    image = photo_like(40, 30).convert("RGBA")
    image.putpixel((5, 7), (10, 20, 30, 0))
    qimage = to_qimage(image)
    assert qimage.hasAlphaChannel() and QColor.fromRgba(qimage.pixel(5, 7)).alpha() == 0
    assert QColor.fromRgba(qimage.pixel(0, 0)).getRgb() == image.getpixel((0, 0))
