"""Settings file, API key storage and the folders the app writes to.

``OUTPAINT_STUDIO_HOME`` (portable mode) puts everything, settings and key file included,
under one folder and keeps the OS keychain out of it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from outpaint_studio.core.files import write_atomic

SETTINGS_VERSION = 1
APP_DIR_NAME = "outpaint-studio"
KEYRING_SERVICE = "studio.outpaint.OutpaintStudio"
KEYRING_USER = "bfl-api-key"
REGIONS = {
    "global": "https://api.bfl.ai",
    "eu": "https://api.eu.bfl.ai",
    "us": "https://api.us.bfl.ai",
}
FEATHER_RANGE = (0, 16)  # px: the paste-back blend band at the original's edge (0: a hard paste)

log = logging.getLogger(__name__)


def portable_home() -> Path | None:
    home = os.environ.get("OUTPAINT_STUDIO_HOME")
    return Path(home).expanduser() if home else None


def config_dir() -> Path:
    home = portable_home()
    return home if home else Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


def data_dir() -> Path:
    home = portable_home()
    return home if home else Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def journal_dir() -> Path:
    return data_dir() / "jobs"


def history_dir() -> Path:
    return data_dir() / "history"


def is_app_file(path: str | Path) -> bool:
    """Whether ``path`` lies in one of the app's own folders (pasted images, history)."""
    own = (data_dir(), config_dir())
    resolved = Path(path).expanduser().resolve()
    return any(resolved.is_relative_to(folder.expanduser().resolve()) for folder in own)


def user_pictures() -> Path:
    """Where a file dialog starts with nothing better: the user's Pictures folder, else home."""
    pictures = Path(platformdirs.user_pictures_dir())
    return pictures if pictures.is_dir() else Path.home()


def dialog_folder(path: str | Path | None) -> Path:
    """Where a file dialog about ``path`` starts: beside it, unless it is one of the app's own."""
    if path and not is_app_file(path) and Path(path).parent.is_dir():
        return Path(path).parent
    return user_pictures()


def save_folder(settings: Settings, photo: str | None) -> Path:
    """Where saving a result of ``photo`` starts: the Output folder chosen in Settings, else the
    folder last saved to, else beside the photo."""
    return Path(settings.output_dir or settings.last_save_dir or dialog_folder(photo))


@dataclass
class Settings:
    version: int = SETTINGS_VERSION
    region: str = "global"
    custom_api_url: str = ""
    engine: str = "auto"  # auto: FLUX when a key is set, else the offline engine
    mode: str = "high"
    output_format: str = "png"
    safety_tolerance: int = 2
    prompt: str = ""
    paste_back: bool = True
    feather: int = 8
    snap: bool = True
    output_dir: str = ""  # the user's own choice in Settings: saves start there
    last_save_dir: str = ""  # where a result was last saved: saves start there when no output_dir
    full_res: bool = True  # full-resolution output whenever the source is scaled
    poll_timeout: float = 600.0
    recent_files: list[str] = field(default_factory=list)
    window_geometry: str = ""
    window_state: str = ""  # the docks and toolbars (QMainWindow.saveState), as geometry
    # the Formats set as the user left it: the targets they added, the ticked ones, the anchor
    formats_added: list[str] = field(default_factory=list)
    formats_ticked: list[str] = field(default_factory=list)
    formats_anchor: str = "center"

    @property
    def api_url(self) -> str:
        if self.region == "custom" and self.custom_api_url:
            return self.custom_api_url.rstrip("/")
        return REGIONS.get(self.region, REGIONS["global"])

    def add_recent(self, path: str, keep: int = 10) -> None:
        self.recent_files = [path, *[p for p in self.recent_files if p != path][: keep - 1]]


def clamp_feather(feather: int) -> int:
    """``feather`` brought into :data:`FEATHER_RANGE`."""
    low, high = FEATHER_RANGE
    return max(low, min(high, feather))


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; defaults when there are none or the file is unreadable."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError):
        log.warning("settings file %s is unreadable; using defaults", path)
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    return _from_dict(migrate(raw))


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring an older settings dictionary up to the current version."""
    version = raw.get("version", 0)
    if not isinstance(version, int) or version < 1:
        raw = {k: v for k, v in raw.items() if k != "api_key"}  # never kept in settings
        raw["version"] = 1
    return raw


def _from_dict(raw: dict[str, Any]) -> Settings:
    defaults = Settings()
    values: dict[str, Any] = {}
    for spec in fields(Settings):
        value = raw.get(spec.name, getattr(defaults, spec.name))
        default = getattr(defaults, spec.name)
        if isinstance(default, bool) != isinstance(value, bool) or not isinstance(
            value, type(default) if not isinstance(default, float) else (int, float)
        ):
            value = default
        values[spec.name] = value
    values["version"] = SETTINGS_VERSION
    return Settings(**values)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    data = json.dumps(asdict(settings), indent=2, sort_keys=True).encode()
    write_atomic(data, path, overwrite=True)


class KeyStore:
    """Where the BFL key lives: ``BFL_API_KEY``, else the OS keychain, else a 0600 file."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or config_dir()

    @property
    def key_file(self) -> Path:
        return self.folder / "api-key"

    def get(self) -> str | None:
        return self.get_with_source()[0]

    def get_with_source(self) -> tuple[str | None, str]:
        """The key and where it came from: "environment", "keychain", "file" or "none"."""
        env = os.environ.get("BFL_API_KEY", "").strip()
        if env:
            return env, "environment"
        keychain = self._keyring()
        if keychain is not None:
            try:
                stored = keychain.get_password(KEYRING_SERVICE, KEYRING_USER)
            except Exception:  # any backend failure just means "not there"
                stored = None
            if stored:
                return stored, "keychain"
        try:
            stored = self.key_file.read_text(encoding="utf-8").strip()
        except OSError:
            stored = ""
        return (stored, "file") if stored else (None, "none")

    def set(self, key: str) -> str:
        """Store the key; returns where it went ("keychain" or "file")."""
        key = key.strip()
        keychain = self._keyring()
        if keychain is not None:
            try:
                keychain.set_password(KEYRING_SERVICE, KEYRING_USER, key)
                self.key_file.unlink(missing_ok=True)
                return "keychain"
            except Exception:
                log.warning("the OS keychain refused the key; storing it in a private file")
        self._write_key_file(key)
        return "file"

    def clear(self) -> None:
        keychain = self._keyring()
        if keychain is not None:
            with contextlib.suppress(Exception):
                keychain.delete_password(KEYRING_SERVICE, KEYRING_USER)
        self.key_file.unlink(missing_ok=True)

    def _write_key_file(self, key: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.key_file.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.key_file)

    def _keyring(self) -> Any | None:
        """The keyring module when a real backend exists and we are not in portable mode."""
        if portable_home() is not None:
            return None
        try:
            import keyring
            from keyring.backends import fail, null
        except ImportError:
            return None
        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring | null.Keyring):
            return None
        if getattr(backend, "priority", 1) <= 0:
            return None
        return keyring
