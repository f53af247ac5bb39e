"""studio.store.works: rows to values, id prefixes, filters and the trash."""

from __future__ import annotations

import pytest

from studio.core.types import Origin, Recipe, Terms, WorkKind
from studio.errors import InvalidInput, NotFound
from studio.store.works import NewWork


def _new(n: int, *, license_id: str = "cc0-1.0", **extra) -> NewWork:
    terms = Terms(license_id, **{k: extra.pop(k) for k in ("rev_share", "minting_fee") if k in extra})
    return NewWork(kind=WorkKind.image, sha256=f"sha{n}", title=f"work {n}", origin=Origin.imported, terms=terms,
                   **extra)


def test_round_trip_keeps_every_field(library) -> None:
    recipe = Recipe(model="studio-tiny", prompt="a tide", seed=7, steps=4, extra={"sampler": "euler"})
    work = library.works.insert(_new(1, creator="Ana", rev_share=5_000_000, minting_fee=10**20, recipe=recipe))
    again = library.works.get(work.id)
    assert again == work
    assert again.terms.minting_fee == 10**20  # wei amounts beyond 64 bits survive
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


def test_newest_first_orders_by_creation_then_id(library) -> None:
    for n, moment in ((1, "2026-01-02T00:00:00.000000Z"), (2, "2026-01-01T00:00:00.000000Z")):
        library.works.insert(_new(n, created_at=moment))
    library.works.insert(_new(3, id="000000000003", created_at="2026-01-03T00:00:00.000000Z"))
    library.works.insert(_new(4, id="ffffffffffff", created_at="2026-01-03T00:00:00.000000Z"))
    assert [w.title for w in library.works.list()] == ["work 2", "work 1", "work 3", "work 4"]
    assert [w.title for w in library.works.list(newest_first=True)] == ["work 4", "work 3", "work 1", "work 2"]
    assert [w.title for w in library.works.list(newest_first=True, limit=2, offset=1)] == ["work 3", "work 1"]


def test_published_on_keeps_works_confirmed_on_that_network(library) -> None:
    from studio.story.journal import Journal
    from studio.story.prediction import Prediction

    def predicted(work_id: str, network: str) -> Prediction:
        return Prediction(work_id, network, "0xwallet", "cc0-1.0", "CC0", {}, royalty_percent=0, policy=None)

    journal = Journal(library.db)
    on_devnet, on_both, drafted, failed, loose = (library.works.insert(_new(n)) for n in range(5))
    for work, network in ((on_devnet, "devnet"), (on_both, "devnet"), (on_both, "aeneid")):
        pub = journal.draft(work.id, network, 1, "0xwallet", predicted(work.id, network))
        journal.mark_sent(pub.id, f"0x{work.id}{network}", pub.id, "0x")
        journal.confirm(pub.id, f"0xip{work.id}{network}", 1, "0xnft", ())
    journal.draft(drafted.id, "devnet", 1, "0xwallet", predicted(drafted.id, "devnet"))
    sent = journal.draft(failed.id, "devnet", 1, "0xwallet", predicted(failed.id, "devnet"))
    journal.fail(sent.id, "reverted")
    library.works.trash(on_both.id)

    def ids(**filters) -> set[str]:
        return {w.id for w in library.works.list(**filters)}

    assert ids(published_on="devnet") == {on_devnet.id}  # drafts and failed attempts are not on chain
    assert ids(published_on="aeneid") == set()  # the only work there is in the trash
    assert ids(published_on="aeneid", trashed=True) == {on_both.id}
    assert ids(not_published_on="devnet") == {drafted.id, failed.id, loose.id}
    assert ids(published_on="mainnet") == set()
    assert library.works.count(published_on="devnet") == 1
    assert library.works.count(not_published_on="devnet") == 3
    assert ids(published_on="devnet", license_id="cc-by-4.0") == set()
    with pytest.raises(InvalidInput, match="empty network"):
        library.works.list(published_on=" ")


def test_the_studio_trashes_and_restores_by_reference_in_one_transaction(library) -> None:
    from studio.services import Studio

    studio = Studio(library)
    a, b = (library.works.insert(_new(n)) for n in range(2))
    with pytest.raises(NotFound):
        studio.trash([a.id, "0000ffff0000"])
    assert library.works.count() == 2  # the unknown id moved nothing
    assert studio.trash([a.id[:6], b.id, a.id]) == [a.id, b.id]  # prefixes resolve; each work moves once
    assert library.works.count() == 0
    assert studio.trash([a.id]) == []  # already in the trash: nothing for an undo to restore
    assert studio.restore([b.id, b.id]) == [b.id]
    assert [w.id for w in library.works.list()] == [b.id]
    assert studio.restore([b.id]) == []


def test_many_ids_are_read_in_batches_each_work_once(library) -> None:
    """More ids than one statement may carry, some repeated: every work comes back once."""
    works = [library.works.insert(_new(n)) for n in range(1203)]
    ids = [w.id for w in works]
    found = library.works.get_many([*ids, *ids[:700], "no-such-id"])
    assert sorted(found) == sorted(ids)
    assert found[ids[-1]] == works[-1]
    first, last = (library.publications.insert_draft(w.id, "devnet", 1315, "0xabc", {}) for w in (works[0], works[-1]))
    rows = library.publications.of_works([*ids, ids[0], ids[-1]])  # the repeats fall in a later batch
    assert rows == {ids[0]: [first], ids[-1]: [last]}
