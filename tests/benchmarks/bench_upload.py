"""Upload preparation against plain base64 and against Pillow's own reduce + resize + encode.

Needs a >= 15 MP JPEG: `apt-get install mate-backgrounds`, or pass a path.
"""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

from _common import large_photo, median_seconds, report
from PIL import Image

from outpaint_studio.core.images import (
    MAX_UPLOAD_BYTES,
    decode_image,
    prepare_upload,
    resize,
)
from outpaint_studio.core.layout import MAX_PIXELS, scaled_size
from outpaint_studio.core.request import encode_image_bytes


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else large_photo()
    if path is None:
        print("no >= 15 MP photo found: apt-get install mate-backgrounds, or pass a path")
        return 1
    data = path.read_bytes()
    source = decode_image(data)
    print(f"{path.name}: {source.size[0]}x{source.size[1]}, {len(data) / 1e6:.1f} MB")
    if len(data) > MAX_UPLOAD_BYTES:  # too big to send as is: the same photo at quality 90
        buffer = io.BytesIO()
        source.image.save(buffer, "JPEG", quality=90)
        data = buffer.getvalue()
        source = decode_image(data)
        print(f"re-saved at quality 90 to fit the upload cap: {len(data) / 1e6:.1f} MB")

    def unchanged() -> None:
        upload = prepare_upload(source, source.image)
        assert upload.untouched
        encode_image_bytes(upload.data)

    as_is = median_seconds(unchanged)
    plain = median_seconds(lambda: base64.b64encode(data).decode("ascii"))  # JSON needs text
    ok = report("unchanged upload", as_is, plain, 1.2)

    scale = (MAX_PIXELS / (source.size[0] * source.size[1])) ** 0.5 * 0.7
    size = scaled_size(source.size, scale)

    def ours() -> None:
        fresh = decode_image(data)
        prepare_upload(fresh, resize(fresh.image, size))

    def pillow() -> None:
        image = Image.open(io.BytesIO(data))
        image = image.convert("RGB")
        factor = max(1, int(1 / scale) // 2)
        reduced = image.reduce(factor)
        out = io.BytesIO()
        reduced.resize(size, Image.Resampling.LANCZOS).save(out, "JPEG", quality=95, subsampling=0)

    ok &= report(f"scaled to {size[0]}x{size[1]}", median_seconds(ours, 3),
                 median_seconds(pillow, 3), 1.3)  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
