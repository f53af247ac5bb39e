"""The settings record class: the one place the `settings` table is read and written."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest

from studio.store.library import Library
from studio.store.settings import SettingRecords


def test_text_flags_and_json_round_trip_and_none_removes(library: Library) -> None:
    settings = library.settings
    assert settings.get("publish.network") is None
    settings.set("publish.network", "aeneid")
    settings.set_bool("review.required", True)
    settings.set_json("engines.comfyui.servers", [{"name": "attic", "url": "http://10.0.0.2:8188"}])
    again = SettingRecords(library.db)  # a second reader of the same table agrees with the writer
    assert again.get("publish.network") == "aeneid"
    assert again.get_bool("review.required") and again.get("review.required") == "on"
    assert again.get_json("engines.comfyui.servers") == [{"name": "attic", "url": "http://10.0.0.2:8188"}]
    settings.set("publish.network", None)
    settings.set_bool("review.required", False)
    assert again.get("publish.network") is None
    assert again.get_bool("review.required", default=True) is False  # "off" is stored, not the default
    assert again.get_json("missing", {"x": 1}) == {"x": 1}


class _BreaksAfterFirst(Mapping[str, str | None]):
    """A mapping whose second value cannot be produced: the write stops half-way."""

    def __getitem__(self, key: str) -> str | None:
        return "first"

    def __iter__(self) -> Iterator[str]:
        return iter(("a", "b"))

    def __len__(self) -> int:
        return 2

    def items(self):  # type: ignore[override]
        yield "publish.ipfs.api", "http://127.0.0.1:5001"
        raise RuntimeError("the second value is missing")


def test_several_keys_are_stored_all_or_none(library: Library) -> None:
    settings = library.settings
    settings.set_many({"publish.network": "devnet", "publish.rpc.devnet": "http://127.0.0.1:8545"})
    assert settings.get("publish.network") == "devnet" and settings.get("publish.rpc.devnet") == "http://127.0.0.1:8545"
    with pytest.raises(RuntimeError):
        settings.set_many(_BreaksAfterFirst())
    assert settings.get("publish.ipfs.api") is None  # the first key was rolled back with the failed second
    settings.set_many({"publish.rpc.devnet": None, "publish.network": "aeneid"})
    assert settings.get("publish.rpc.devnet") is None and settings.get("publish.network") == "aeneid"
