"""Layered export of a 30 MP full-resolution result, against its flat PNG export.

A 17.9 MP photo at scale 0.36 on a 2560x1600 (4 MP) canvas, output at full resolution:
7111x4444 (31.6 MP). Baseline: the flat PNG export (decode the source, scale it as sent, upscale
the result, paste the original back, embed the metadata, write atomically). Measured: the PSD,
the OpenRaster file and the mask exported from the finished job as the CLI and the GUI do it
(decode the kept result and the source, compose, encode every layer, write atomically).
Target: each <= 3x the flat export, timed in the same run.

Needs mate-backgrounds' Elephants_5640x3172.jpg, or pass a >= 15 MP JPEG.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _common import ELEPHANTS, large_photo, median_seconds, report
from bench_compose import drifted_result

from outpaint_studio.core.engine import EngineResult
from outpaint_studio.core.images import encode_image, load_image
from outpaint_studio.core.jobs import JobParams, JobRecord
from outpaint_studio.core.layer_export import (
    job_layers,
    layers_path,
    mask_path,
    write_layers,
    write_mask,
)
from outpaint_studio.core.output import save_output
from outpaint_studio.core.placing import place

SCALE = 0.36
TARGET = 3.0


def main() -> int:
    photo = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    photo = photo or (ELEPHANTS if ELEPHANTS.exists() else large_photo())
    if photo is None:
        print("no >= 15 MP photo found: apt-get install mate-backgrounds, or pass a path")
        return 1
    work = Path(tempfile.mkdtemp())
    params = JobParams(input=str(photo), width=2560, height=1600, scale=SCALE, full_res=True,
                       out_dir=str(work), overwrite=True)  # fmt: skip
    result = drifted_result(params, load_image(photo))
    kept = work / "job.raw.png"
    kept.write_bytes(encode_image(result, "png"))
    record = JobRecord(params=params, cost=16.0, job_id="bench", history_path=str(kept))

    def flat() -> None:
        source = load_image(photo)
        save_output(record, EngineResult(result, None, "png"), source, place(params, source), work)

    flat()
    output = Path(record.output_path or "")

    def layered(fmt: str) -> None:
        write_layers(job_layers(record), record, layers_path(output, fmt), overwrite=True)

    def mask() -> None:
        write_mask(job_layers(record), record, mask_path(output), overwrite=True)

    stack = job_layers(record)
    width, height = stack.size
    print(f"  {photo.name} at {SCALE} -> {width}x{height} ({width * height / 1e6:.1f} MP)")
    baseline = median_seconds(flat, repeats=3)
    ok = True
    for fmt in ("psd", "ora"):
        seconds = median_seconds(lambda fmt=fmt: layered(fmt), repeats=3)
        size = layers_path(output, fmt).stat().st_size / 1e6
        ok = report(f"layered {fmt} ({size:.0f} MB)", seconds, baseline, TARGET) and ok
    ok = report("generated-area mask", median_seconds(mask, repeats=3), baseline, TARGET) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
