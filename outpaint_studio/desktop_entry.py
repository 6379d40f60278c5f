"""Install the app into the user's desktop: menu entry, "Open with", icons and AppStream data.

Qt-free. ``outpaint-studio --install-desktop-entry`` copies the shipped ``.desktop`` file into
``$XDG_DATA_HOME/applications/``, the icons into ``$XDG_DATA_HOME/icons/hicolor/`` and the
metainfo into ``$XDG_DATA_HOME/metainfo/`` (``$XDG_DATA_HOME`` defaults to ``~/.local/share``),
then refreshes the desktop and icon caches when their tools are there.
``--uninstall-desktop-entry`` removes exactly those files again.

The installed entry's ``Exec`` names the absolute path of the running ``outpaint-studio`` (the
script in a venv or pipx install, or a bundle's binary), so the menu finds it even when that
folder is not on the desktop session's ``PATH``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from outpaint_studio import APP_ID
from outpaint_studio import resources as res
from outpaint_studio.core.files import write_atomic

COMMAND = "outpaint-studio"

#: Characters that force quoting of an Exec argument (Desktop Entry spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
#: Characters escaped with a backslash inside a quoted Exec argument.
_ESCAPED_IN_QUOTES = set('"`$\\')


def default_data_home() -> Path:
    """``$XDG_DATA_HOME`` when it is set to an absolute path, else ``~/.local/share``."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / ".local" / "share"


def _targets(data_home: Path) -> list[tuple[Path, Path]]:
    """(shipped file, installed path) for everything the desktop entry installs."""
    pairs = [
        (res.desktop_file_path(), data_home / "applications" / f"{APP_ID}.desktop"),
        (res.metainfo_path(), data_home / "metainfo" / f"{APP_ID}.metainfo.xml"),
    ]
    for size in (*res.ICON_SIZES, None):
        # icon_relpath is "icons/hicolor/<size>/apps/<APP_ID>.<ext>", the XDG layout itself.
        pairs.append((res.icon_path(size), data_home / res.icon_relpath(size)))
    return pairs


def _installed_paths(data_home: Path) -> list[Path]:
    """The paths install writes, without looking for the shipped files."""
    paths = [
        data_home / "applications" / f"{APP_ID}.desktop",
        data_home / "metainfo" / f"{APP_ID}.metainfo.xml",
    ]
    paths += [data_home / res.icon_relpath(size) for size in (*res.ICON_SIZES, None)]
    return paths


def find_executable() -> str | None:
    """The absolute path of the command that starts this app, or None when there is none.

    In order: a frozen bundle's own binary; ``sys.argv[0]`` when it is the ``outpaint-studio``
    script; the script beside the running interpreter (a venv's or pipx's ``bin/``); the first
    ``outpaint-studio`` on ``PATH``.
    """
    if getattr(sys, "frozen", False):
        return str(Path(sys.executable).absolute())
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name in (COMMAND, f"{COMMAND}.exe") and argv0.is_file():
        return str(argv0.absolute())
    beside = Path(sys.executable).parent / (COMMAND + (".exe" if os.name == "nt" else ""))
    if sys.executable and beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(COMMAND)
    return str(Path(found).absolute()) if found else None


def exec_quote(argument: str) -> str:
    """``argument`` as one argument of a desktop entry's Exec key, quoted when it must be.

    Applies the Exec key's quoting rules, then the escaping of the string type (a backslash is
    written twice), and doubles ``%`` so it is not read as a field code.
    """
    text = argument.replace("%", "%%")
    if any(char in _RESERVED for char in text):
        inner = "".join("\\" + char if char in _ESCAPED_IN_QUOTES else char for char in text)
        text = f'"{inner}"'
    return text.replace("\\", "\\\\")


def desktop_entry_text(executable: str | None) -> str:
    """The shipped desktop entry, its ``Exec``/``TryExec`` pointing at ``executable``."""
    text = res.desktop_file_path().read_text(encoding="utf-8")
    if executable is None:
        return text
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0].strip()
        if key == "Exec":
            rest = line.split("=", 1)[1].strip().split(" ", 1)
            arguments = f" {rest[1]}" if len(rest) > 1 else ""
            line = f"Exec={exec_quote(executable)}{arguments}"
        elif key == "TryExec":
            # TryExec is a plain string, not an Exec command line: no quoting, only escaping.
            line = "TryExec=" + executable.replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


def _refresh_caches(data_home: Path) -> None:
    """Run update-desktop-database and gtk-update-icon-cache where they exist; never fail."""
    commands = []
    applications = data_home / "applications"
    if applications.is_dir() and shutil.which("update-desktop-database"):
        commands.append(["update-desktop-database", "--quiet", str(applications)])
    hicolor = data_home / "icons" / "hicolor"
    if hicolor.is_dir() and shutil.which("gtk-update-icon-cache"):
        commands.append(["gtk-update-icon-cache", "--force", "--ignore-theme-index", "--quiet",
                         str(hicolor)])  # fmt: skip
    for command in commands:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(command, check=False, capture_output=True, timeout=60)


def install_desktop_entry(data_home: Path | None = None) -> list[Path]:
    """Install the desktop entry, icons and metainfo under ``data_home``; the paths written.

    ``data_home`` defaults to ``$XDG_DATA_HOME`` (``~/.local/share``). Installing again
    overwrites the same files, so it also repairs or updates an earlier install.
    """
    home = data_home if data_home is not None else default_data_home()
    written: list[Path] = []
    for source, target in _targets(home):
        if target.suffix == ".desktop":
            data = desktop_entry_text(find_executable()).encode("utf-8")
        else:
            data = source.read_bytes()
        write_atomic(data, target, overwrite=True)
        written.append(target)
    _refresh_caches(home)
    return written


def uninstall_desktop_entry(data_home: Path | None = None) -> list[Path]:
    """Remove what install_desktop_entry put under ``data_home``; the paths removed.

    Only the app's own files go; folders stay, since other apps share them.
    """
    home = data_home if data_home is not None else default_data_home()
    removed: list[Path] = []
    for path in _installed_paths(home):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    if removed:
        _refresh_caches(home)
    return removed
