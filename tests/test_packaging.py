"""Packaging: the shipped desktop files validate, the wheel carries every resource and finds it
once installed, and the desktop entry installs and uninstalls cleanly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from outpaint_studio import APP_ID, APP_NAME, __version__
from outpaint_studio import desktop_entry as entry
from outpaint_studio import resources as res

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"


def validator(name: str) -> str:
    """The path of a validator; skipped locally when it is missing, a failure under CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: desktop-file-utils, appstream)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must install it")
        pytest.skip(message)
    return path


def run(
    *command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env=env,
    )


def desktop_keys(path: Path) -> dict[str, str]:
    keys = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            keys[key.strip()] = value.strip()
    return keys


# --- The shipped files ----------------------------------------------------------------------


def test_desktop_file_validates() -> None:
    result = run(validator("desktop-file-validate"), DESKTOP)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    # It exits 0 on warnings and hints too; the shipped file has none.
    assert report.strip() == "", report


def test_metainfo_validates() -> None:
    result = run(validator("appstreamcli"), "validate", "--no-net", "--explain", METAINFO)
    report = result.stdout + result.stderr
    # Exit 0 means no error and no warning; infos (e.g. ".studio" being a TLD the validator does
    # not know, or an older AppStream not knowing <developer>) do not fail it.
    assert result.returncode == 0, report
    assert not [line for line in report.splitlines() if line.startswith(("E:", "W:"))], report


def test_desktop_file_and_metainfo_agree_with_the_package() -> None:
    keys = desktop_keys(DESKTOP)
    assert keys["Name"] == APP_NAME
    assert keys["Icon"] == APP_ID
    assert keys["StartupWMClass"] == APP_ID
    assert keys["Exec"] == "outpaint-studio %F"
    assert keys["Terminal"] == "false"
    assert keys["Categories"] == "Graphics;2DGraphics;RasterGraphics;"
    mime_types = set(filter(None, keys["MimeType"].split(";")))
    assert {"image/png", "image/jpeg", "image/webp"} <= mime_types

    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP_NAME
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("provides/binary") == "outpaint-studio"
    assert {m.text for m in root.iterfind("provides/mediatype")} == mime_types
    versions = [release.get("version") for release in root.iterfind("releases/release")]
    assert __version__ in versions, "add a <release> for the new version to the metainfo"
    assert versions[0] == __version__, "the newest release comes first"


def test_icons_have_the_sizes_their_folders_say() -> None:
    for size in res.ICON_SIZES:
        path = res.icon_path(size)
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (size, size), path
            assert image.mode == "RGBA", path
            # The rounded corners are (nearly) transparent, the middle is opaque.
            alpha = image.getchannel("A").tobytes()
            assert alpha[0] < 32, path
            assert alpha[(size // 2) * size + size // 2] == 255, path
    svg = ET.parse(res.icon_path(None)).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox") == "0 0 512 512"
    with Image.open(res.windows_icon_path()) as ico:
        assert ico.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(res.macos_icon_path()) as icns:
        assert icns.format == "ICNS"
        assert icns.size[0] >= 512


def test_svg_icon_renders_in_qt_without_warnings(qapp: object) -> None:
    """Qt's SVG renderer supports less than rsvg (no clip-path, few filters): the window icon
    must come out whole, and qt_log_level_fail turns any Qt warning into a failure."""
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(res.icon_path()))
    assert renderer.isValid()
    image = QImage(128, 128, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    assert image.pixelColor(2, 2).alpha() == 0  # a rounded corner: clipped, transparent
    assert image.pixelColor(64, 64).alpha() == 255
    assert image.pixelColor(64, 120).alpha() == 255


def test_locator_finds_every_resource_in_the_checkout() -> None:
    assert res.resources_dir().is_dir()
    assert res.desktop_file_path().samefile(DESKTOP)
    assert res.metainfo_path().samefile(METAINFO)
    assert len(res.icon_paths()) == len(res.ICON_SIZES) + 1
    assert all(path.is_file() for path in res.icon_paths())
    with pytest.raises(ValueError):
        res.icon_path(17)
    with pytest.raises(ValueError):
        res.resource_path("..", "pyproject.toml")
    with pytest.raises(res.ResourceNotFoundError):
        res.resource_path("no-such-file.png")


# --- The wheel --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once from this checkout (hatchling, about 2 s when cached)."""
    out = tmp_path_factory.mktemp("wheel")
    result = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", out, ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("outpaint_studio-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed, without its dependencies, into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    result = run(
        sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "--quiet",
        "--disable-pip-version-check", "--target", target, wheel,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return target


@pytest.mark.timeout(90)
def test_wheel_carries_every_resource(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    shipped = sorted(
        path.relative_to(RESOURCES).as_posix()
        for path in RESOURCES.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    assert shipped, "resources/ is empty"
    missing = [name for name in shipped if f"outpaint_studio/resources/{name}" not in names]
    assert missing == []
    assert "outpaint_studio/resources.py" in names
    assert "outpaint_studio/desktop_entry.py" in names


@pytest.mark.timeout(90)
def test_installed_wheel_finds_its_resources(installed: Path, tmp_path: Path) -> None:
    """Run from elsewhere, so only the installed copy is importable, not this checkout."""
    script = textwrap.dedent(
        """
        import json, sys
        from pathlib import Path
        import outpaint_studio
        from outpaint_studio import resources as res
        from outpaint_studio.desktop_entry import install_desktop_entry
        paths = [res.icon_path(), res.desktop_file_path(), res.metainfo_path(),
                 res.windows_icon_path(), res.macos_icon_path(), *res.icon_paths()]
        written = install_desktop_entry(Path(sys.argv[1]))
        print(json.dumps({
            "package": outpaint_studio.__file__,
            "resources_dir": str(res.resources_dir()),
            "paths": [str(p) for p in paths],
            "exist": all(p.is_file() for p in paths),
            "written": [str(p) for p in written],
        }))
        """
    )
    data_home = tmp_path / "data"
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONDONTWRITEBYTECODE": "1"}
    result = run(sys.executable, "-c", script, data_home, cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    root = installed.resolve()
    assert Path(report["package"]).resolve().is_relative_to(root), report["package"]
    assert Path(report["resources_dir"]).resolve() == root / "outpaint_studio" / "resources"
    assert report["exist"]
    for path in report["paths"]:
        assert Path(path).resolve().is_relative_to(root), path
    assert len(report["written"]) == len(res.ICON_SIZES) + 3
    assert (data_home / "applications" / f"{APP_ID}.desktop").is_file()


# --- The desktop entry ------------------------------------------------------------------------


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    yield home


def test_install_and_uninstall_desktop_entry(data_home: Path, tmp_path: Path) -> None:
    unrelated = data_home / "applications" / "other.desktop"
    unrelated.parent.mkdir(parents=True)
    unrelated.write_text("[Desktop Entry]\n", encoding="utf-8")

    written = entry.install_desktop_entry()  # XDG_DATA_HOME from the environment
    desktop = data_home / "applications" / f"{APP_ID}.desktop"
    expected = {
        desktop,
        data_home / "metainfo" / f"{APP_ID}.metainfo.xml",
        data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        *(
            data_home / "icons" / "hicolor" / f"{s}x{s}" / "apps" / f"{APP_ID}.png"
            for s in res.ICON_SIZES
        ),
    }
    assert set(written) == expected
    for path in expected:
        assert path.is_file(), path
        assert path.stat().st_mode & 0o777 == 0o644, path
    icon = data_home / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png"
    assert icon.read_bytes() == res.icon_path(48).read_bytes()
    assert not list(data_home.rglob(".*.tmp")), "a temporary file was left behind"

    keys = desktop_keys(desktop)
    assert keys["Icon"] == APP_ID
    assert keys["Exec"].endswith(" %F")
    executable = entry.find_executable()
    if executable is not None:
        assert keys["Exec"] == f"{entry.exec_quote(executable)} %F"
        assert Path(executable).is_absolute()

    # Installing twice is fine, and repairs the files.
    icon.write_bytes(b"broken")
    assert set(entry.install_desktop_entry(data_home)) == expected
    assert icon.read_bytes() == res.icon_path(48).read_bytes()

    removed = entry.uninstall_desktop_entry(data_home)
    assert set(removed) == expected
    assert not any(path.exists() for path in expected)
    assert unrelated.read_text(encoding="utf-8") == "[Desktop Entry]\n"
    assert entry.uninstall_desktop_entry(data_home) == []


def test_installed_desktop_entry_validates(data_home: Path) -> None:
    tool = validator("desktop-file-validate")
    entry.install_desktop_entry(data_home)
    result = run(tool, data_home / "applications" / f"{APP_ID}.desktop")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr)


def test_exec_line_points_at_the_script_and_survives_odd_paths(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "My Apps $HOME 100%"
    folder.mkdir()
    script = folder / "outpaint-studio"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(script), "--install-desktop-entry"])
    assert entry.find_executable() == str(script)
    text = entry.desktop_entry_text(entry.find_executable())
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line == f'Exec="{folder}/outpaint-studio" %F'.replace("$", "\\\\$").replace(
        "%/", "%%/"
    )
    assert entry.exec_quote("/usr/bin/outpaint-studio") == "/usr/bin/outpaint-studio"
    assert entry.exec_quote("/a b/c") == '"/a b/c"'
    assert entry.exec_quote('/a"b') == '"/a\\\\"b"'
    assert entry.exec_quote("/a\\b") == '"/a\\\\\\\\b"'

    # Not found at all: the plain command name stays.
    assert "Exec=outpaint-studio %F" in entry.desktop_entry_text(None)


def test_app_flags_install_and_uninstall(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from outpaint_studio.app import main

    assert main(["--install-desktop-entry"]) == 0
    printed = capsys.readouterr().out.split()
    assert str(data_home / "applications" / f"{APP_ID}.desktop") in printed
    assert (data_home / "applications" / f"{APP_ID}.desktop").is_file()
    assert main(["--uninstall-desktop-entry"]) == 0
    assert not (data_home / "applications" / f"{APP_ID}.desktop").exists()
