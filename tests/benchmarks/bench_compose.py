"""Saving a result with the original put back, against Pillow saving the same image alone.

1. Paste-back and save of a 4 MP result (measure the change, restore the source, embed the
   metadata, write atomically): target <= 1.5x Pillow's save of the composed image, same format
   and options.
2. ``--full-res`` from a 17.9 MP photo with a 4 MP canvas (decode the source, scale it as sent,
   measure, upscale the result, paste the full-resolution original, embed, write): target <= 3x
   Pillow decoding that photo plus saving the output alone.

Needs mate-backgrounds' Elephants_5640x3172.jpg for (2), or pass a >= 15 MP JPEG.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _common import large_photo, median_seconds, report
from PIL import Image

from outpaint_studio.core.engine import EngineResult
from outpaint_studio.core.file_formats import pillow_format
from outpaint_studio.core.images import PNG_OPTIONS, SourceImage, load_image
from outpaint_studio.core.jobs import JobParams, JobRecord
from outpaint_studio.core.output import save_output
from outpaint_studio.core.placing import place

ELEPHANTS = Path("/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg")
SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "png": PNG_OPTIONS,
    "jpeg": {"quality": 95, "subsampling": 0},
    "webp": {"quality": 95, "method": 4},
}


def drifted_result(params: JobParams, source: SourceImage, drift: int = 5) -> Image.Image:
    """What the service sends back: a new canvas with the placed source re-drawn a bit off."""
    placed = place(params, source)
    rng = np.random.default_rng(7)
    canvas = rng.integers(60, 200, size=(params.height, params.width, 3), dtype=np.uint8)
    box, crop = placed.placement.visible_box(), placed.placement.crop_box()
    patch = np.asarray(placed.scaled.crop(crop.as_tuple()), dtype=np.int16) + drift
    canvas[box.top : box.bottom, box.left : box.right] = np.clip(patch, 0, 255)
    return Image.fromarray(canvas, "RGB")


def interleaved(
    ours: Callable[[], object], baseline: Callable[[], object], repeats: int = 5
) -> tuple[float, float]:
    """Medians of ``ours`` and ``baseline``, each run of one right after one of the other: the
    machine's load drifts, and this spreads it over both alike."""
    pairs = [(median_seconds(ours, 1), median_seconds(baseline, 1)) for _ in range(repeats)]
    return statistics.median(o for o, _ in pairs), statistics.median(b for _, b in pairs)


def pillow_save(image: Image.Image, fmt: str, path: Path) -> None:
    image.save(path, pillow_format(fmt), **SAVE_OPTIONS[fmt])


def paste_back_4mp(work: Path, fmt: str) -> bool:
    rng = np.random.default_rng(3)
    photo = Image.fromarray(rng.integers(0, 256, (1152, 1536, 3), dtype=np.uint8), "RGB")
    photo = photo.resize((1536, 1152), Image.Resampling.BILINEAR)  # some texture, not noise
    source = SourceImage(photo)
    params = JobParams(input="photo.png", width=2048, height=2048, output_format=fmt)
    params.out_dir = str(work)
    params.overwrite = True
    result = drifted_result(params, source)
    placed = place(params, source)
    record = JobRecord(params=params, cost=8.000000000000002, job_id="bench")

    def ours() -> None:
        save_output(record, EngineResult(result, None, fmt), source, placed, work)

    ours()
    composed = Image.open(record.output_path or "")
    composed.load()
    ours_s, baseline = interleaved(ours, lambda: pillow_save(composed, fmt, work / f"pillow.{fmt}"))
    return report(f"paste-back + save, 4 MP {fmt}", ours_s, baseline, 1.5)


def full_res(work: Path, photo: Path, fmt: str) -> bool:
    with Image.open(photo) as opened:
        width, height = opened.size
    scale = 0.4  # 5640x3172 -> 2256x1269 on a 2560x1600 (4.1 MP) canvas
    params = JobParams(input=str(photo), width=2560, height=1600, scale=scale, full_res=True,
                       output_format=fmt, out_dir=str(work), overwrite=True)  # fmt: skip
    first = load_image(photo)
    result = drifted_result(params, first)
    record = JobRecord(params=params, cost=16.0, job_id="bench")

    def ours() -> None:
        source = load_image(photo)
        placed = place(params, source)
        save_output(record, EngineResult(result, None, fmt), source, placed, work)

    ours()
    output = Image.open(record.output_path or "")
    output.load()
    print(f"  {photo.name} {width}x{height} -> {output.width}x{output.height} {fmt}")

    def pillow() -> None:
        with Image.open(io.BytesIO(photo.read_bytes())) as decoded:
            decoded.load()
        pillow_save(output, fmt, work / f"pillow-full.{fmt}")

    ours_s, baseline = interleaved(ours, pillow, repeats=3)
    return report(f"--full-res from {width * height / 1e6:.1f} MP, {fmt}", ours_s, baseline, 3.0)


def main() -> int:
    work = Path(tempfile.mkdtemp())
    ok = all([paste_back_4mp(work, fmt) for fmt in ("png", "jpeg", "webp")])
    photo = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    photo = photo or (ELEPHANTS if ELEPHANTS.exists() else large_photo())
    if photo is None:
        print("no >= 15 MP photo found: apt-get install mate-backgrounds, or pass a path")
        return 1
    ok = all([full_res(work, photo, fmt) for fmt in ("png", "jpeg")]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
