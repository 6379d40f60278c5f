"""Batch: 48 inputs, each finished 2 s after its submit, the simulator answering 429 above 24
active jobs, with a small accept backlog and kept-alive connections closed after 0.5 s idle.
Target: all saved within 1.15x the ideal, never more than 24 active, exactly 48 jobs created
(no submit ends "uncertain", none is sent twice)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _common import cli_env, simulator
from PIL import Image

INPUTS = 48
FINISH_AFTER = 2.0
MAX_ACTIVE = 24


def main() -> int:
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
    states = [json.loads(line)["state"] for line in done.stdout.splitlines()]
    saved, uncertain = states.count("saved"), states.count("uncertain")
    ideal = (INPUTS / MAX_ACTIVE) * FINISH_AFTER + (one_job - FINISH_AFTER)
    ratio = elapsed / ideal
    ok = saved == INPUTS and ratio <= 1.15 and stats["peak_active"] <= MAX_ACTIVE
    ok = ok and stats["submit_count"] == INPUTS + 1 and not uncertain  # + the single job
    print(f"{saved}/{INPUTS} saved in {elapsed:.2f} s; one job alone {one_job:.2f} s; "
          f"ideal {ideal:.2f} s; ratio {ratio:.2f}x (target <= 1.15x); "
          f"peak active {stats['peak_active']} (limit {MAX_ACTIVE}); "
          f"submits seen {stats['submit_attempts']}, jobs created {stats['submit_count']}, "
          f"uncertain {uncertain} {'OK' if ok else 'OVER TARGET'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
