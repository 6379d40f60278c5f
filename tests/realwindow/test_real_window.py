"""The app as a user runs it: a real X server (Xvfb), real mouse and keyboard input (xdotool).

Start ``outpaint-studio PHOTO``, drag the source, drag every handle out and back in, zoom, Extend
with the offline engine, save with Ctrl+S through the file dialog, quit; the process must exit 0
with no traceback. The screenshots stay in ``bench-out/real-window/`` (or
``$OUTPAINT_SCREENSHOTS``) for a person to look at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from xsession import HANDLES, Frame, XServer, find_frame, missing_tools, wait_for

from outpaint_studio.core.settings import history_dir, load_settings, save_settings

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = Path("/usr/share/backgrounds/mate/nature")
OUT = 40  # how far each handle is dragged out, screen pixels


@pytest.fixture
def x_server() -> object:
    missing = missing_tools()
    if missing:
        message = f"the real-window test needs {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = XServer()
    yield server
    server.stop()


def a_photo(tmp_path: Path) -> Path:
    """A real photo when the machine has one, else a generated JPEG."""
    found = sorted(PHOTOS.glob("*.jpg")) if PHOTOS.is_dir() else []
    if found:
        return next((p for p in found if p.name == "Dune.jpg"), found[0])
    height, width = np.mgrid[0:1050, 0:1680]
    pixels = np.stack([width * 255 // 1680, height * 255 // 1050, (width ^ height) & 255], -1)
    path = tmp_path / "generated.jpg"
    Image.fromarray(pixels.astype(np.uint8)).save(path, quality=90)
    return path


def screenshots_folder() -> Path:
    folder = Path(os.environ.get("OUTPAINT_SCREENSHOTS", ROOT / "bench-out" / "real-window"))
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


class Session:
    """The running app, its screen and what it said."""

    def __init__(self, x: XServer, photo: Path, home: Path, shots: Path) -> None:
        self.x, self.shots, self.count, self.last_name = x, shots, 0, ""
        env = {**x.env(), "QT_QPA_PLATFORM": "xcb", "OUTPAINT_STUDIO_HOME": str(home),
               "HOME": str(home)}  # fmt: skip
        env.pop("BFL_API_KEY", None)
        self.stderr_path = home / "stderr.txt"
        self.stderr = self.stderr_path.open("w")
        script = Path(sys.executable).with_name("outpaint-studio")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "outpaint_studio"]
        self.process = subprocess.Popen([*command, str(photo)], env=env, stderr=self.stderr,
                                        stdout=subprocess.DEVNULL)  # fmt: skip
        self.window = x.find_window("Outpaint Studio")
        x.xdotool("windowmove", self.window, "0", "0")
        x.xdotool("windowsize", self.window, "1500", "940")

    def shot(self, name: str) -> np.ndarray:
        """A screenshot named after the step; retries of one step overwrite it."""
        if name != self.last_name:
            self.count, self.last_name = self.count + 1, name
        return self.x.screenshot(self.shots / f"{self.count:02d}-{name}.png")

    def frame(self, name: str, expect: Callable[[Frame], bool] | None = None) -> Frame:
        """The frame once the app has settled (two screenshots agree) and ``expect`` holds."""
        seen: list[Frame | None] = [None]

        def probe() -> Frame | None:
            self.assert_alive()
            frame = find_frame(self.shot(name))
            settled = frame is not None and frame == seen[0]
            seen[0] = frame
            return frame if settled and (expect is None or expect(frame)) else None

        return wait_for(f"the canvas frame ({name}); last seen {seen[0]}", probe)

    def save_dialog(self) -> str | None:
        """Ctrl+S, and the dialog it opens (Save is enabled once the result is shown)."""
        self.assert_alive()
        self.key("ctrl+s")
        try:
            return self.x.find_window("Save the result", seconds=3)
        except AssertionError:
            return None

    def assert_alive(self) -> None:
        assert self.process.poll() is None, f"the app ended: {self.stderr_text()}"

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.stderr.close()

    def stderr_text(self) -> str:
        self.stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def focus(self) -> None:
        self.x.xdotool("windowfocus", "--sync", self.window)

    def key(self, *keys: str) -> None:
        self.focus()
        self.x.xdotool("key", "--clearmodifiers", *keys)

    def drag(self, start: tuple[int, int], end: tuple[int, int], steps: int = 6) -> None:
        self.x.xdotool("mousemove", "--sync", str(start[0]), str(start[1]))
        self.x.xdotool("mousedown", "1")
        for i in range(1, steps + 1):
            x = round(start[0] + (end[0] - start[0]) * i / steps)
            y = round(start[1] + (end[1] - start[1]) * i / steps)
            self.x.xdotool("mousemove", "--sync", str(x), str(y))
        self.x.xdotool("mouseup", "1")


def close_to(frame: Frame, other: Frame, tolerance: int = 1) -> bool:
    pairs = zip((frame.left, frame.top, frame.right, frame.bottom),
                (other.left, other.top, other.right, other.bottom), strict=True)  # fmt: skip
    return all(abs(a - b) <= tolerance for a, b in pairs)


def grown(before: Frame, name: str) -> Callable[[Frame], bool]:
    """A check that the frame grew by about OUT on the sides the handle moves, only there."""
    fx, fy = HANDLES[name]
    moves = {"left": fx == 0, "top": fy == 0, "right": fx == 1, "bottom": fy == 1}

    def check(after: Frame) -> bool:
        for side, sign in (("left", -1), ("top", -1), ("right", 1), ("bottom", 1)):
            change = (getattr(after, side) - getattr(before, side)) * sign
            if abs(change - (OUT if moves[side] else 0)) > (5 if moves[side] else 1):
                return False
        return True

    return check


@pytest.mark.timeout(600)
def test_a_user_session_under_x(x_server: XServer, tmp_path: Path, app_home: Path) -> None:
    save_settings(replace(load_settings(), mode="fast"))  # a shorter offline fill
    shots = screenshots_folder()
    print(f"screenshots in {shots}")
    app = Session(x_server, a_photo(tmp_path), app_home, shots)
    try:
        start = app.frame("opened")
        centre = start.centre()
        app.drag(centre, (centre[0] + 50, centre[1] + 30))
        app.frame("source-dragged", lambda f: close_to(f, start))
        app.drag((centre[0] + 50, centre[1] + 30), centre)
        before = app.frame("source-back", lambda f: close_to(f, start))
        for name in (n for n in HANDLES if n != "centre"):
            hx, hy = before.handle(name)
            fx, fy = HANDLES[name]
            out = (hx + round((fx - 0.5) * 2 * OUT), hy + round((fy - 0.5) * 2 * OUT))
            app.drag((hx, hy), out)
            after = app.frame(f"{name}-out", grown(before, name))
            app.drag(after.handle(name), before.handle(name))
            before = app.frame(f"{name}-in", lambda f, b=before: close_to(f, b))
        app.x.xdotool("mousemove", "--sync", *map(str, before.centre()))
        app.x.xdotool("click", "5")  # the wheel: zoom out under the mouse
        app.frame("zoomed-out", lambda f: f.right - f.left < (before.right - before.left) * 0.9)
        app.key("ctrl+0")
        app.frame("fitted", lambda f: close_to(f, before))
        app.key("ctrl+Return")
        wait_for("the offline result", lambda: any(history_dir().rglob("*.png")), 180)
        app.shot("extended")
        saved = tmp_path / "saved" / "extended.png"
        saved.parent.mkdir()
        dialog = wait_for("the save dialog", app.save_dialog, 120)
        app.shot("save-dialog")
        app.x.xdotool("windowfocus", "--sync", dialog)
        app.x.xdotool("key", "ctrl+a")
        app.x.xdotool("type", "--delay", "5", str(saved))
        app.x.xdotool("key", "Return")
        wait_for("the saved file", lambda: saved.exists() and saved.stat().st_size > 0, 30)
        with Image.open(saved) as image:
            assert image.size[0] > start.right - start.left
        app.shot("saved")
        app.key("ctrl+q")
        code = app.process.wait(30)
    finally:
        app.end()
    errors = app.stderr_path.read_text(errors="replace")
    assert code == 0, errors
    assert "Traceback" not in errors and "Fatal" not in errors, errors
