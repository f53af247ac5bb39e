"""Window settings: a JSON file in the config folder, defaults for anything damaged, never a secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.app.settings import FILE_NAME, SettingsStore, WindowSettings, config_dir
from studio.errors import InvalidInput


def test_defaults_when_there_is_no_file():
    settings = SettingsStore().load()
    assert settings == WindowSettings()
    assert settings.theme == "system" and settings.royalty_policy == "lap" and settings.library_dir == ""


def test_round_trip_goes_to_the_config_dir_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("STUDIO_CONFIG_DIR", str(tmp_path / "cfg"))
    store = SettingsStore()
    assert store.path == tmp_path / "cfg" / FILE_NAME == config_dir() / FILE_NAME
    changed = WindowSettings().with_changes(
        theme="dark",
        library_dir="/data/lib",
        models_dir="/data/models",
        royalty_policy="lrp",
        creator="Mira",
    )
    store.save(changed)
    assert SettingsStore().load() == changed
    assert json.loads(store.path.read_text())["theme"] == "dark"


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"theme": "purple"}, "theme"),
        ({"royalty_policy": "fifty-fifty"}, "royalty policy"),
        ({"creator": "0x" + "ab" * 32}, "private key"),
        ({"models_dir": "ab" * 32}, "private key"),
        ({"creator": 5}, "must be text"),
    ],
)
def test_bad_or_secret_values_are_refused(changes, words):
    with pytest.raises(InvalidInput) as info:
        WindowSettings().with_changes(**changes)
    assert words in str(info.value).lower()


def test_a_damaged_file_falls_back_field_by_field(tmp_path: Path):
    path = tmp_path / "window.json"
    path.write_text(json.dumps({"theme": "dark", "royalty_policy": "nowhere", "unknown": 1, "creator": 5}))
    settings = SettingsStore(path).load()
    assert settings.theme == "dark"  # the good field is kept
    assert settings.royalty_policy == "lap" and settings.creator == ""  # the bad ones fall back
    path.write_text("{not json")
    assert SettingsStore(path).load() == WindowSettings()
    path.write_text("[1, 2]")
    assert SettingsStore(path).load() == WindowSettings()


def test_saving_replaces_the_file_atomically(tmp_path: Path):
    store = SettingsStore(tmp_path / "deep" / "window.json")
    store.save(WindowSettings().with_changes(theme="light"))
    store.save(WindowSettings().with_changes(theme="dark"))
    assert store.load().theme == "dark"
    assert [p.name for p in store.path.parent.iterdir()] == ["window.json"]


def test_recent_team_libraries_keep_addresses_never_passwords(tmp_path: Path):
    kept = "postgresql://ada@db.example:5432/studio"
    settings = WindowSettings(recent_team_libraries=(kept, "postgresql://ada:hunter2@db.example/studio",
                                                     "postgresql://ada@db.example/studio?password=hunter2",
                                                     str(tmp_path)))
    assert settings.recent_team_libraries == (kept,)
    path = tmp_path / "window.json"
    path.write_text(json.dumps({"recent_team_libraries": ["postgresql://bo:pw@h/db", kept], "theme": "dark"}))
    loaded = SettingsStore(path).load()
    assert loaded.recent_team_libraries == (kept,) and loaded.theme == "dark"
    with pytest.raises(InvalidInput, match="list of addresses"):
        WindowSettings(recent_team_libraries="postgresql://ada@h/db")  # type: ignore[arg-type]
