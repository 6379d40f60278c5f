"""Ctrl+C during a batch: the command stops at once and submitted jobs stay collectable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bfl_sim import BflSimulator
from photos import API_KEY, photo_like
from waits import killed_at_exit, wait_for

from outpaint_studio.core.jobs import Journal


def test_ctrl_c_stops_waiting_and_keeps_submitted_jobs(tmp_path: Path, app_home: Path) -> None:
    inputs = []
    for index in range(3):
        path = tmp_path / f"in{index}.png"
        photo_like(160, 120, seed=index).save(path)
        inputs.append(str(path))

    def states() -> list[str]:
        return [record.state for record in Journal(app_home / "jobs").records()]

    with BflSimulator(api_key=API_KEY, finish_after=60) as slow:
        env = {**os.environ, "BFL_API_KEY": API_KEY, "OUTPAINT_STUDIO_API_URL": slow.base_url}
        child = subprocess.Popen(
            [sys.executable, "-m", "outpaint_studio", "extend", *inputs, "--width", "256",
             "--height", "192", "--out-dir", str(tmp_path / "out")],
            env=env, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        with killed_at_exit(child):
            wait_for("three submits", lambda: slow.submit_count == 3)
            wait_for("three jobs journaled as submitted", lambda: states() == ["submitted"] * 3)
            started = time.monotonic()
            child.send_signal(signal.SIGINT)
            _, stderr = child.communicate(timeout=15)
        assert time.monotonic() - started < 3
        assert child.returncode == 1
        assert "resume" in stderr and "Traceback" not in stderr
        assert states() == ["submitted"] * 3
        assert slow.submit_count == 3
