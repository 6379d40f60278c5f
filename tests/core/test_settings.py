import json
import stat
from pathlib import Path

import pytest

from outpaint_studio.core.settings import (
    FEATHER_RANGE,
    KeyStore,
    Settings,
    clamp_feather,
    load_settings,
    save_settings,
    settings_path,
)


def test_settings_round_trip_under_the_portable_home(app_home: Path) -> None:
    settings = Settings(mode="fast", feather=4, region="eu")
    settings.add_recent("/a.png")
    settings.add_recent("/b.png")
    settings.add_recent("/a.png")
    save_settings(settings)
    assert settings_path().parent == app_home
    loaded = load_settings()
    assert loaded == settings
    assert loaded.recent_files == ["/a.png", "/b.png"]
    assert loaded.api_url == "https://api.eu.bfl.ai"


def test_unreadable_or_old_settings_fall_back_to_defaults(app_home: Path) -> None:
    app_home.mkdir(parents=True)
    settings_path().write_text("{not json")
    assert load_settings() == Settings()
    settings_path().write_text(json.dumps({"mode": "fast", "feather": "wide", "api_key": "k"}))
    loaded = load_settings()
    assert loaded.mode == "fast" and loaded.feather == 8 and loaded.version == 1


def test_environment_key_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    store = KeyStore()
    store.set("saved-key")
    assert store.get_with_source() == ("saved-key", "file")
    monkeypatch.setenv("BFL_API_KEY", "env-key")
    assert store.get_with_source() == ("env-key", "environment")


def test_key_file_is_private_and_never_in_settings(app_home: Path) -> None:
    store = KeyStore()
    assert store.set("secret-123") == "file"  # portable mode keeps the keychain out
    mode = stat.S_IMODE(store.key_file.stat().st_mode)
    assert mode == 0o600
    save_settings(Settings())
    assert "secret-123" not in settings_path().read_text()
    store.clear()
    assert store.get() is None


def test_file_dialogs_start_beside_a_users_file_never_in_the_apps_folders(
    app_home: Path, tmp_path: Path
) -> None:
    from outpaint_studio.core.settings import data_dir, dialog_folder, is_app_file, user_pictures

    photo = tmp_path / "shots" / "photo.jpg"
    photo.parent.mkdir()
    photo.touch()
    pasted = data_dir() / "pasted" / "pasted-1.png"
    pasted.parent.mkdir(parents=True)
    pasted.touch()
    assert is_app_file(pasted) and not is_app_file(photo)
    assert dialog_folder(photo) == photo.parent
    assert dialog_folder(pasted) == user_pictures()
    assert dialog_folder(None) == user_pictures()
    assert not user_pictures().is_relative_to(app_home)


def test_the_blend_band_is_brought_into_its_range() -> None:
    assert FEATHER_RANGE == (0, 16)
    assert [clamp_feather(px) for px in (-3, 0, 8, 16, 40)] == [0, 0, 8, 16, 16]
