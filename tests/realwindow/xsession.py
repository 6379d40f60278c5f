"""A private X server (Xvfb) driven with real input (xdotool), and screenshots to look at."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from frame_handles import HANDLES as FRAME_HANDLES
from PIL import Image
from waits import wait_for

TOOLS = ("Xvfb", "xdotool", "import")  # import: imagemagick's screenshot command
SCREEN = (1600, 1000)
ACCENT = (38, 132, 255)  # the canvas frame's colour (canvas_items.ACCENT)


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


class XServer:
    """Xvfb on the first free display number, which it picks itself (-displayfd)."""

    def __init__(self) -> None:
        read, write = os.pipe()
        width, height = SCREEN
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
             "-nolisten", "tcp"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write)
        self._report = read  # open until the end: Xvfb fails when its write finds no reader
        ready, _, _ = select.select([read], [], [], 20)
        number = os.read(read, 32).decode().strip() if ready else ""
        if not number:
            self.stop()
            raise AssertionError("Xvfb did not report a display within 20 s")
        self.display = f":{number}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display}

    def xdotool(self, *args: str, timeout: float = 20) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env(), capture_output=True,
                              text=True, timeout=timeout, check=True)  # fmt: skip
        return done.stdout.strip()

    def find_window(self, name: str, seconds: float = 60) -> str:
        """The first visible window named ``name``, once there is one."""

        def probe() -> str | None:
            try:
                found = self.xdotool("search", "--onlyvisible", "--name", name)
            except subprocess.CalledProcessError:  # none yet, or one vanished mid-search
                return None
            return found.split()[0] if found else None

        return wait_for(f"a window named {name!r}", probe, seconds)

    def screenshot(self, path: Path) -> np.ndarray:
        subprocess.run(["import", "-window", "root", str(path)], env=self.env(), check=True,
                       timeout=30, capture_output=True)  # fmt: skip
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        os.close(self._report)


@dataclass(frozen=True)
class Frame:
    """The canvas frame on screen, in screen pixels."""

    left: int
    top: int
    right: int
    bottom: int

    def handle(self, name: str) -> tuple[int, int]:
        fx, fy = HANDLES[name]
        return (round(self.left + fx * (self.right - self.left)),
                round(self.top + fy * (self.bottom - self.top)))  # fmt: skip

    def centre(self) -> tuple[int, int]:
        return self.handle("centre")


HANDLES = {**FRAME_HANDLES, "centre": (0.5, 0.5)}


def find_frame(pixels: np.ndarray) -> Frame | None:
    """The frame: the long straight runs of its exact colour (photos don't draw ruled lines)."""
    accent = np.all(pixels == np.array(ACCENT, dtype=pixels.dtype), axis=-1)
    rows, cols = accent.sum(axis=1), accent.sum(axis=0)
    if rows.max(initial=0) < 40 or cols.max(initial=0) < 40:
        return None
    lines_y = np.flatnonzero(rows >= rows.max() * 0.6)
    lines_x = np.flatnonzero(cols >= cols.max() * 0.6)
    if lines_y[-1] - lines_y[0] < 20 or lines_x[-1] - lines_x[0] < 20:
        return None
    return Frame(int(lines_x[0]), int(lines_y[0]), int(lines_x[-1]), int(lines_y[-1]))
