"""Peak memory of a Python child process, for the tests and benchmarks that bound it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def peak_rss_mb(code: str, env: dict[str, str], logs: Path) -> tuple[float, str]:
    """Run ``code`` in a Python child: the child's own peak resident memory in MB (VmHWM, read
    as it ends: a waited child's rusage would count this process's memory at the fork), and
    what it printed. Linux only."""
    out, err, peak = (logs.with_suffix(suffix) for suffix in (".out", ".err", ".peak"))
    report = f"\nopen({str(peak)!r}, 'w').write(open('/proc/self/status').read())"
    with out.open("w") as stdout, err.open("w") as stderr:
        subprocess.run([sys.executable, "-c", code + report], env=env, stdout=stdout,
                       stderr=stderr, check=False)  # fmt: skip
    assert peak.exists(), err.read_text()
    [line] = [line for line in peak.read_text().splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) / 1024, out.read_text()
