"""Two publishers on two machines press Publish on the same work at the same moment: the team library's shared
journal lets exactly one draft in (its unique index decides), the other is told in one line who is publishing it
and since when, and only the winner's draft can ever be sent."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from studio.core.types import Origin, Terms, WorkKind
from studio.errors import StudioError
from studio.store.library import Library
from studio.store.works import NewWork
from studio.story.errors import AlreadyPublished
from studio.story.journal import Journal
from studio.story.prediction import Prediction

ROUNDS = 8


@pytest.fixture
def machines(postgres_url: str) -> Iterator[tuple[Library, Library]]:
    first = Library.open(postgres_url)
    second = Library.open(postgres_url)
    yield first, second
    first.close()
    second.close()


def _prediction(work_id: str, wallet: str) -> Prediction:
    return Prediction(work_id, "devnet", wallet, "cc0-1.0", "CC0", {}, royalty_percent=0, policy=None)


def _press_publish_together(libraries: tuple[Library, Library], work_id: str) -> list[object]:
    """Both machines write their draft at once; each one's outcome (a publication or the refusal)."""
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def press(n: int) -> None:
        wallet = f"0x{n + 1:040x}"
        journal = Journal(libraries[n].db)
        start.wait()
        try:
            outcomes[n] = journal.draft(work_id, "devnet", 1315, wallet, _prediction(work_id, wallet))
        except StudioError as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=press, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_exactly_one_draft_is_written_and_the_other_publisher_is_told_who(machines) -> None:
    first, _ = machines
    for n in range(ROUNDS):
        work = first.works.insert(NewWork(kind=WorkKind.image, sha256=f"sha{n}", title=f"work {n}",
                                          origin=Origin.imported, terms=Terms("cc0-1.0")))
        outcomes = _press_publish_together(machines, work.id)
        refused = [o for o in outcomes if isinstance(o, AlreadyPublished)]
        written = [o for o in outcomes if not isinstance(o, Exception)]
        assert len(refused) == 1 and len(written) == 1, outcomes
        winner = written[0]
        line = str(refused[0])
        assert "\n" not in line
        assert f"being published to devnet by postgres (wallet {winner.wallet}) since {winner.created_at}" in line
        assert winner.published_by == "postgres"  # the server's current_user, not a name a client sent
        rows = Journal(first.db).list(work_id=work.id)
        assert [(r.id, r.state) for r in rows] == [(winner.id, "draft")]


def test_the_loser_cannot_send_the_winners_draft(machines) -> None:
    first, second = machines
    work = first.works.insert(NewWork(kind=WorkKind.image, sha256="sha", title="work", origin=Origin.imported,
                                      terms=Terms("cc0-1.0")))
    mine, theirs = Journal(first.db), Journal(second.db)
    draft = mine.draft(work.id, "devnet", 1315, "0xaa", _prediction(work.id, "0xaa"))
    with pytest.raises(AlreadyPublished, match="being published"):
        theirs.draft(work.id, "devnet", 1315, "0xbb", _prediction(work.id, "0xbb"))
    mine.mark_sent(draft.id, "0x01", 0, "0xraw")
    # A publisher that read the draft before it was sent (same wallet on two machines) is refused at the send.
    with pytest.raises(AlreadyPublished, match=r"was sent to devnet by postgres \(wallet 0xaa\) at .* never sent"):
        theirs.mark_sent(draft.id, "0x02", 0, "0xraw2")
    assert theirs.get(draft.id).tx_hash == "0x01"


def test_a_local_library_records_the_wallet_as_the_author(tmp_path) -> None:
    with Library.open(tmp_path / "lib") as lib:
        work = lib.works.insert(NewWork(kind=WorkKind.image, sha256="sha", title="work", origin=Origin.imported,
                                        terms=Terms("cc0-1.0")))
        draft = Journal(lib.db).draft(work.id, "devnet", 1315, "0xaa", _prediction(work.id, "0xaa"))
        assert draft.published_by == "0xaa"
        with pytest.raises(AlreadyPublished, match=r"being published to devnet by 0xaa since"):
            Journal(lib.db).draft(work.id, "devnet", 1315, "0xbb", _prediction(work.id, "0xbb"))
