"""Where the app's shipped resources are: icons, the desktop entry and the AppStream metadata.

Qt-free. An installed wheel carries the repository's top-level ``resources/`` folder as the package
data ``outpaint_studio/resources`` (see ``force-include`` in pyproject.toml), found through
``importlib.resources``; a source checkout run with ``python -m outpaint_studio`` or an editable
install falls back to the checkout's ``resources/`` beside the package. A PyInstaller bundle
collects the folder as ``outpaint_studio/resources`` too, beside the package's modules.
"""

from __future__ import annotations

import functools
from importlib import resources as importlib_resources
from pathlib import Path

from outpaint_studio import APP_ID

PACKAGE = "outpaint_studio"
FOLDER = "resources"

#: The sizes of the hicolor PNG icons that ship, in pixels.
ICON_SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256, 512)


class ResourceNotFoundError(FileNotFoundError):
    """A resource the app ships is missing: a broken install or checkout."""


def _package_folder() -> Path | None:
    """The ``resources`` folder inside the installed package, when it is a real folder."""
    try:
        traversable = importlib_resources.files(PACKAGE) / FOLDER
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - the package imports itself
        return None
    # Wheels install as plain files, so the Traversable is a pathlib.Path. A zipped install (a
    # zipapp, an egg) would need as_file() and a temporary copy; the app does not support that.
    if isinstance(traversable, Path) and traversable.is_dir():
        return traversable
    return None


def _beside_module_folder() -> Path | None:
    """``resources`` beside this module: a frozen bundle, where importlib may not give a path."""
    candidate = Path(__file__).resolve().parent / FOLDER
    return candidate if candidate.is_dir() else None


def _checkout_folder() -> Path | None:
    """The top-level ``resources/`` of a source checkout that holds this package."""
    candidate = Path(__file__).resolve().parent.parent / FOLDER
    if (candidate / "icons").is_dir():
        return candidate
    return None


@functools.cache
def resources_dir() -> Path:
    """The folder holding every shipped resource; raises ResourceNotFoundError when none is."""
    for folder in (_package_folder(), _beside_module_folder(), _checkout_folder()):
        if folder is not None:
            return folder
    raise ResourceNotFoundError(
        f"the {FOLDER}/ folder of {PACKAGE} is missing: neither the installed package nor a "
        "source checkout has it; reinstall Outpaint Studio"
    )


def resource_path(*parts: str) -> Path:
    """The path of the shipped resource ``parts`` (relative to the resources folder).

    Raises ResourceNotFoundError when it does not exist, so a broken install says so instead of
    failing later with a blank icon.
    """
    if not parts:
        return resources_dir()
    relative = Path(*parts)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"not a path inside the resources folder: {relative}")
    path = resources_dir() / relative
    if not path.exists():
        raise ResourceNotFoundError(f"resource not found: {relative} (looked in {resources_dir()})")
    return path


def icon_relpath(size: int | None = None) -> Path:
    """The icon's path relative to the resources folder, in the hicolor theme's layout."""
    if size is None:
        return Path("icons", "hicolor", "scalable", "apps", f"{APP_ID}.svg")
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon; sizes are {', '.join(map(str, ICON_SIZES))}")
    return Path("icons", "hicolor", f"{size}x{size}", "apps", f"{APP_ID}.png")


def icon_path(size: int | None = None) -> Path:
    """The app icon: the scalable SVG for None, else the PNG of ``size`` px (one of ICON_SIZES)."""
    return resource_path(*icon_relpath(size).parts)


def icon_paths() -> list[Path]:
    """Every shipped icon file: the PNGs, smallest first, then the SVG."""
    return [icon_path(size) for size in ICON_SIZES] + [icon_path(None)]


def windows_icon_path() -> Path:
    """The multi-size Windows ``.ico``."""
    return resource_path(f"{APP_ID}.ico")


def macos_icon_path() -> Path:
    """The macOS ``.icns``."""
    return resource_path(f"{APP_ID}.icns")


def desktop_file_path() -> Path:
    """The freedesktop ``.desktop`` entry."""
    return resource_path(f"{APP_ID}.desktop")


def metainfo_path() -> Path:
    """The AppStream metainfo file."""
    return resource_path(f"{APP_ID}.metainfo.xml")
