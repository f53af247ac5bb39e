"""The publishing journal's unique indexes decide on both engines: a nonce is used once per wallet and network, an
IP is recorded once, and the refused change leaves the row as it was."""

from __future__ import annotations

import pytest

from studio.core.types import Origin, Terms, WorkKind
from studio.store.works import NewWork
from studio.story.errors import AlreadyPublished, NonceConflict
from studio.story.journal import Journal
from studio.story.prediction import Prediction

IP = "0x" + "ab" * 20


def _draft(library, journal: Journal, n: int):
    work = library.works.insert(NewWork(kind=WorkKind.image, sha256=f"sha{n}", title=f"work {n}",
                                        origin=Origin.imported, terms=Terms("cc0-1.0")))
    prediction = Prediction(work.id, "devnet", "0xw", "cc0-1.0", "CC0", {}, royalty_percent=0, policy=None)
    return journal.draft(work.id, "devnet", 1315, "0xw", prediction)


def test_a_nonce_is_used_once_and_the_refused_row_stays_a_draft(library) -> None:
    journal = Journal(library.db)
    first, second = _draft(library, journal, 1), _draft(library, journal, 2)
    journal.mark_sent(first.id, "0x01", 7, "0xraw")
    with pytest.raises(NonceConflict, match="nonce 7"):
        journal.mark_sent(second.id, "0x02", 7, "0xraw")
    assert journal.get(second.id).state == "draft" and journal.get(second.id).nonce is None
    with library.db.atomic():  # inside a transaction too, which goes on afterwards
        with pytest.raises(NonceConflict):
            journal.mark_sent(second.id, "0x02", 7, "0xraw")
        journal.mark_sent(second.id, "0x02", 8, "0xraw")
    assert (journal.get(second.id).state, journal.get(second.id).nonce) == ("sent", 8)


def test_an_ip_is_recorded_once(library) -> None:
    journal = Journal(library.db)
    draft = _draft(library, journal, 1)
    imported = dict(ip_id=IP, token_id=1, nft_contract="0xc", license_terms_ids=(1,), metadata_uri=None,
                    metadata_hash=None, readback={})
    other = library.works.insert(NewWork(kind=WorkKind.image, sha256="sha-other", title="other",
                                         origin=Origin.imported, terms=Terms("cc0-1.0")))
    journal.record_imported(other.id, "devnet", 1315, **imported)
    with pytest.raises(AlreadyPublished):
        journal.record_imported(other.id, "devnet", 1315, **imported)
    with pytest.raises(AlreadyPublished):
        journal.record_imported(draft.work_id, "devnet", 1315, **imported)  # the same IP for another work
    assert len(journal.list(network="devnet", states=("confirmed",))) == 1
