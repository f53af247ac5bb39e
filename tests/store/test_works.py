"""studio.store.works: rows to values, id prefixes, filters and the trash."""

from __future__ import annotations

import pytest

from studio.core.types import Origin, Recipe, WorkKind
from studio.errors import InvalidInput, NotFound
from studio.store.works import NewWork


def _new(n: int, **extra) -> NewWork:
    fields = {"license_id": "cc0-1.0", **extra}
    return NewWork(kind=WorkKind.image, sha256=f"sha{n}", title=f"work {n}", origin=Origin.imported, **fields)


def test_round_trip_keeps_every_field(library) -> None:
    recipe = Recipe(model="studio-tiny", prompt="a tide", seed=7, steps=4, extra={"sampler": "euler"})
    work = library.works.insert(_new(1, creator="Ana", rev_share=5_000_000, minting_fee=10**20, recipe=recipe))
    again = library.works.get(work.id)
    assert again == work
    assert again.minting_fee == 10**20  # wei amounts beyond 64 bits survive
    assert again.recipe == recipe


def test_prefix_resolution(library) -> None:
    work = library.works.insert(_new(1, id="abcdef012345"))
    library.works.insert(_new(2, id="abcd99999999"))
    assert library.works.resolve("abcde").id == work.id
    with pytest.raises(InvalidInput, match="ambiguous"):
        library.works.resolve("abcd")
    with pytest.raises(NotFound):
        library.works.resolve("abc")
    with pytest.raises(NotFound):
        library.works.resolve("0000")


def test_filters_and_search(library) -> None:
    library.works.insert(_new(1, creator="Ana"))
    library.works.insert(_new(2, license_id="cc-by-4.0", recipe=Recipe(prompt="lighthouse 100%")))
    assert [w.title for w in library.works.list(license_id="cc-by-4.0")] == ["work 2"]
    assert [w.title for w in library.works.list(text="Ana")] == ["work 1"]
    assert [w.title for w in library.works.list(text="100%")] == ["work 2"]
    assert library.works.list(text="_") == []  # LIKE wildcards are literal
    assert library.works.count() == 2


def test_trash_hides_and_restore_brings_back(library) -> None:
    work = library.works.insert(_new(1))
    library.works.trash(work.id)
    assert library.works.list() == []
    assert [w.id for w in library.works.list(trashed=True)] == [work.id]
    assert library.works.get(work.id).deleted_at is not None
    library.works.restore(work.id)
    assert [w.id for w in library.works.list()] == [work.id]
