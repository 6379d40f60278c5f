"""Batches against the simulator (in its own process), measured in one run.

Big photos (issue 14): camera-sized JPEGs (6028x3391 = 20.4 MP, baseline), `extend --scale 0.25
--width 2048 --height 1024 --jobs 24`, the service taking 2 s per job. Targets: 48 photos within
1.3x a reference pipeline measured in the same run, a peak RSS of at most 1 GB, and 96 photos
within 1.1x the peak RSS of 48. The reference: per photo, a 1/4 draft decode, the resize to the
size sent, its JPEG encode and the encode of an output of the canvas's size (PNG, the app's
settings), on all cores; plus the service's own time, measured as a bare client sees it (48 jobs
submitted 24 at a time, polled and downloaded, on the same cores as the simulator renders them).

The active limit (issue 11): 48 small inputs, each finished 2 s after its submit, the simulator
answering 429 above 24 active jobs, with a small accept backlog and kept-alive connections closed
after 0.5 s idle. Targets: all saved within 1.15x the ideal, never more than 24 active, exactly
48 jobs created (no submit ends "uncertain", none is sent twice).

Other processes share the cores: the load average is printed with the figures.
``python tests/benchmarks/bench_batch.py [big|limit]`` runs one part (default both).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from _common import TESTS, cli_env, large_photo, simulator
from PIL import Image

from outpaint_studio.core.images import encode_image
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.request import encode_image_bytes
from outpaint_studio.core.settings import KeyStore, load_settings
from outpaint_studio.session import EngineChoice, Session

sys.path.insert(0, str(TESTS))
from bfl_sim import generated_pattern
from memory import peak_rss_mb

INPUTS = 48
FINISH_AFTER = 2.0
MAX_ACTIVE = 24
CAMERA = (6028, 3391)
SCALE = 0.25
SENT = (round(CAMERA[0] * SCALE), round(CAMERA[1] * SCALE))
CANVAS = ("--width", "2048", "--height", "1024")
TIME_TARGET, PEAK_LIMIT_MB, GROWTH_TARGET = 1.3, 1024, 1.1


def camera_photos(folder: Path, count: int) -> list[str]:
    """``count`` copies of one camera-sized baseline JPEG, from a real photo when installed."""
    real = large_photo()
    if real is not None:
        with Image.open(real) as photo:
            image = photo.convert("RGB").resize(CAMERA, Image.Resampling.LANCZOS)
    else:
        image = Image.radial_gradient("L").resize(CAMERA).convert("RGB")
    first = folder / "photo000.jpg"
    image.save(first, quality=90)
    return [str(first)] + [
        str(shutil.copyfile(first, folder / f"photo{index:03}.jpg")) for index in range(1, count)
    ]


def reference_photo(path: str) -> int:
    """The least any pipeline does for one photo: decode at 1/4, resize to the size sent,
    encode it as the upload is, and encode an output of the canvas's size (the simulator's
    generated pixels around the photo)."""
    with Image.open(path) as photo:
        photo.draft("RGB", (photo.width // 4, photo.height // 4))
        sent = photo.convert("RGB").resize(SENT, Image.Resampling.LANCZOS)
    output = generated().copy()
    output.paste(sent, ((output.width - sent.width) // 2, (output.height - sent.height) // 2))
    return len(encode_image(sent, "jpeg")) + len(encode_image(output, "png"))


@functools.cache
def generated() -> Image.Image:
    """What the simulator delivers around the photo (made once per process, before timing)."""
    return Image.fromarray(generated_pattern(int(CANVAS[1]), int(CANVAS[3]), seed=1), "RGB")


def service_seconds(upload: bytes, env: dict[str, str]) -> float:
    """The simulator's own time for the batch: a bare client submitting INPUTS jobs,
    MAX_ACTIVE at a time, polling and downloading each (no decode, compose or save)."""
    os.environ.update(env)
    settings = load_settings()
    engine = Session.open(settings, KeyStore()).engine(
        EngineChoice("bfl", env["OUTPAINT_STUDIO_API_URL"])
    )
    params = JobParams(input="reference.jpg", width=int(CANVAS[1]), height=int(CANVAS[3]))
    request = params.request(encode_image_bytes(upload), SENT).validate()
    image, cancel = Image.new("RGB", SENT), threading.Event()

    def one_job(_: int) -> None:
        submission = engine.submit(request, image, cancel)
        engine.collect(submission, lambda stage, fraction: None, cancel)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=MAX_ACTIVE) as pool:
        list(pool.map(one_job, range(INPUTS)))
    return time.perf_counter() - started


def reference_seconds(photos: list[str]) -> float:
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        list(pool.map(reference_photo, photos[:2]))  # the workers started and warm
        started = time.perf_counter()
        list(pool.map(reference_photo, photos))
        return time.perf_counter() - started


def run_extend(photos: list[str], env: dict[str, str], work: Path) -> tuple[float, float, int]:
    """Seconds, peak RSS (MB) and the number saved, for one `extend` of ``photos``."""
    args = ["extend", *photos, "--scale", str(SCALE), *CANVAS, "--jobs", str(MAX_ACTIVE),
            "--out-dir", str(work / f"out{len(photos)}"), "--json"]  # fmt: skip
    code = f"from outpaint_studio.cli import main\nmain({args!r})"
    started = time.perf_counter()
    peak, printed = peak_rss_mb(code, env, work / f"extend{len(photos)}")
    elapsed = time.perf_counter() - started
    lines = [json.loads(line) for line in printed.splitlines()]
    failed = [line for line in lines if line["state"] != "saved"]
    if failed:
        print(f"{len(failed)} of {len(photos)} not saved, e.g. {failed[0]['error']}")
    return elapsed, peak, len(lines) - len(failed)


def big_photos() -> bool:
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    photos = camera_photos(work, 2 * INPUTS)
    load_before = os.getloadavg()[0]
    reference_cpu = reference_seconds(photos[:INPUTS])
    with Image.open(photos[0]) as photo:
        photo.draft("RGB", SENT)
        upload = encode_image(photo.convert("RGB").resize(SENT), "jpeg")
    options = ["--finish-after", str(FINISH_AFTER), "--max-active", str(MAX_ACTIVE),
               "--api-key", "bench", "--credits", "1e6"]  # fmt: skip
    with simulator(*options) as base:
        env = cli_env(BFL_API_KEY="bench", OUTPAINT_STUDIO_API_URL=base,
                      OUTPAINT_STUDIO_HOME=str(work / "home"))  # fmt: skip
        service = service_seconds(upload, env)
        reference = reference_cpu + service
        elapsed, peak, saved = run_extend(photos[:INPUTS], env, work)
        _, peak_double, saved_double = run_extend(photos, env, work)
    load_after = os.getloadavg()[0]
    shutil.rmtree(work)
    ratio, growth = elapsed / reference, peak_double / peak
    ok = saved == INPUTS and saved_double == 2 * INPUTS and ratio <= TIME_TARGET
    ok = ok and peak <= PEAK_LIMIT_MB and growth <= GROWTH_TARGET
    ideal = INPUTS / MAX_ACTIVE * FINISH_AFTER
    print(f"big photos: {saved}/{INPUTS} saved in {elapsed:.2f} s; reference {reference:.2f} s "
          f"= {reference_cpu:.2f} s of decode, resize and encodes on {os.cpu_count()} cores "
          f"+ {service:.2f} s of service (ideal {ideal:.0f} s): {ratio:.2f}x (target <= "
          f"{TIME_TARGET}x); peak RSS {peak:.0f} MB (limit {PEAK_LIMIT_MB}); {2 * INPUTS} "
          f"photos: {saved_double} saved, peak {peak_double:.0f} MB = {growth:.2f}x (target <= "
          f"{GROWTH_TARGET}x); load average {load_before:.1f} -> {load_after:.1f} "
          f"{'OK' if ok else 'OVER TARGET'}")  # fmt: skip
    return ok


def active_limit() -> bool:
    work = Path(tempfile.mkdtemp())
    photos = []
    for index in range(INPUTS):
        path = work / f"in{index:02d}.jpg"
        Image.new("RGB", (512, 384), (index * 5, 80, 160)).save(path, quality=90)
        photos.append(str(path))
    options = ["--finish-after", str(FINISH_AFTER), "--max-active", str(MAX_ACTIVE),
               "--api-key", "bench", "--accept-backlog", "8", "--idle-timeout", "0.5"]  # fmt: skip
    with simulator(*options) as base:
        env = cli_env(BFL_API_KEY="bench", OUTPAINT_STUDIO_API_URL=base,
                      OUTPAINT_STUDIO_HOME=str(work / "home"))  # fmt: skip
        one_started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "outpaint_studio", "extend", photos[0], "--width", "768",
             "--height", "512", "--out-dir", str(work / "single")],
            env=env, check=True, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        one_job = time.perf_counter() - one_started
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "outpaint_studio", "extend", *photos, "--width", "768",
             "--height", "512", "--jobs", "48", "--out-dir", str(work / "out"), "--json"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        stats = json.load(urllib.request.urlopen(base + "/_stats"))
    shutil.rmtree(work)
    states = [json.loads(line)["state"] for line in done.stdout.splitlines()]
    saved, uncertain = states.count("saved"), states.count("uncertain")
    ideal = (INPUTS / MAX_ACTIVE) * FINISH_AFTER + (one_job - FINISH_AFTER)
    ratio = elapsed / ideal
    ok = saved == INPUTS and ratio <= 1.15 and stats["peak_active"] <= MAX_ACTIVE
    ok = ok and stats["submit_count"] == INPUTS + 1 and not uncertain  # + the single job
    print(f"active limit: {saved}/{INPUTS} saved in {elapsed:.2f} s; one job alone "
          f"{one_job:.2f} s; ideal {ideal:.2f} s; ratio {ratio:.2f}x (target <= 1.15x); "
          f"peak active {stats['peak_active']} (limit {MAX_ACTIVE}); "
          f"submits seen {stats['submit_attempts']}, jobs created {stats['submit_count']}, "
          f"uncertain {uncertain} {'OK' if ok else 'OVER TARGET'}")  # fmt: skip
    return ok


def main() -> int:
    parts = {"big": big_photos, "limit": active_limit}
    chosen = sys.argv[1:] or list(parts)
    results = [parts[name]() for name in chosen]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
