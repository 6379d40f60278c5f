"""Loading a journal of 500 finished jobs (what the history panel and `jobs` read at start).

Target: Journal.records() well under 0.3 s. The baseline, measured in the same run, is reading
the same 500 files' bytes alone, so the ratio shows what parsing costs on this machine.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _common import median_seconds

from outpaint_studio.core.jobs import JobParams, JobRecord, JobState, Journal

RECORDS = 500
TARGET_SECONDS = 0.3


def fill(journal: Journal) -> None:
    started = time.time() - RECORDS * 60
    for index in range(RECORDS):
        params = JobParams(input=f"/photos/IMG_{index:04d}.jpg", width=2048, height=1536,
                           offset_x=256, offset_y=192, scale=0.5, prompt="a wider beach",
                           out_dir="/photos")  # fmt: skip
        record = JobRecord(params=params, state=JobState.SAVED, created_at=started + index * 60,
                           job_id=f"job-{index}", cost=12.000000000000002, input_mp=0.75,
                           output_mp=3.0, history_path=f"/h/{index}.raw.png",
                           output_path=f"/photos/IMG_{index:04d}-extended.png",
                           source_change={"mean": 1.234, "max": 9.0})  # fmt: skip
        journal.save(record)


def main() -> int:
    journal = Journal(Path(tempfile.mkdtemp()) / "jobs")
    fill(journal)
    assert len(journal.records()) == RECORDS
    files = sorted(journal.folder.glob("*.json"))
    loading = median_seconds(journal.records, repeats=7)
    reading = median_seconds(lambda: [path.read_bytes() for path in files], repeats=7)
    ok = loading <= TARGET_SECONDS
    print(f"journal of {RECORDS}: records() {loading * 1000:.1f} ms (target <= "
          f"{TARGET_SECONDS * 1000:.0f} ms) = {loading / reading:.1f}x reading the files' bytes "
          f"alone ({reading * 1000:.1f} ms) {'OK' if ok else 'OVER TARGET'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
