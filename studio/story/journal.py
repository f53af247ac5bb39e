"""The publishing journal: draft → sent → confirmed | failed, kept in the `publications` table.

A publication is `sent` with its transaction's hash, nonce and signed bytes committed BEFORE the transaction
is broadcast, so a crash at any point leaves a row that the next start can settle from the chain. The
unique indexes make a work live at most once per network and a nonce used at most once per wallet.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from studio.store.db import ConstraintViolation, Database
from studio.store.publications import STATES, Publication, PublicationRecords
from studio.story.errors import AlreadyPublished, NonceConflict
from studio.story.prediction import Prediction

__all__ = ["STATES", "Journal", "Publication"]


class Journal:
    def __init__(self, records: PublicationRecords | Database) -> None:
        self.records = records if isinstance(records, PublicationRecords) else PublicationRecords(records)

    def atomic(self) -> AbstractContextManager[Database]:
        return self.records.atomic()

    # --- reads ----------------------------------------------------------------------------------------

    def get(self, publication_id: int) -> Publication:
        return self.records.get(publication_id)

    def live(self, work_id: str, network: str) -> Publication | None:
        """The work's draft, sent or confirmed publication on the network (at most one exists)."""
        return self.records.live(work_id, network)

    def confirmed(self, work_id: str, network: str) -> Publication | None:
        pub = self.live(work_id, network)
        return pub if pub is not None and pub.on_chain else None

    def is_on_chain(self, work_id: str, network: str) -> bool:
        return self.confirmed(work_id, network) is not None

    def on_chain_among(self, work_ids: Iterable[str], network: str) -> set[str]:
        """Which of these works have a confirmed publication on the network (one query per 500)."""
        return self.records.confirmed_among(work_ids, network)

    def by_ip(self, network: str, ip_id: str) -> Publication | None:
        return self.records.confirmed_by_ip(network, ip_id)

    def list(self, *, network: str | None = None, work_id: str | None = None,
             states: tuple[str, ...] = STATES) -> list[Publication]:
        return self.records.list(network=network, work_id=work_id, states=states)

    def in_flight(self, network: str | None = None) -> list[Publication]:
        return self.list(network=network, states=("sent",))

    def unsettled_networks(self) -> list[str]:
        """Networks with a publication waiting for its receipt, or confirmed and never read back."""
        return self.records.unsettled_networks()

    # --- state changes --------------------------------------------------------------------------------

    def draft(self, work_id: str, network: str, chain_id: int, wallet: str, prediction: Prediction) -> Publication:
        """A new draft, or this wallet's existing draft refreshed (a run that stopped before sending). A sent or
        confirmed publication, or another publisher's recent draft, is refused in one line naming who and when:
        on a team library two publishers may press Publish on the same work at once, and the shared journal's
        unique index lets exactly one draft in."""
        with self.records.atomic():
            live = self.live(work_id, network)
            if live is not None and (live.state != "draft" or _someone_elses(live, wallet)):
                raise _already(live)
            if live is not None:
                return self.records.refresh_draft(live.id, wallet, chain_id, prediction.to_json())
            try:
                return self.records.insert_draft(work_id, network, chain_id, wallet, prediction.to_json())
            except ConstraintViolation:
                winner = self.live(work_id, network)  # committed by the other publisher while this one waited
                if winner is None:
                    raise
                raise _already(winner) from None

    def set_metadata(self, publication_id: int, uri: str, digest: str, nft_contract: str) -> None:
        self._update(publication_id, ("draft",), metadata_uri=uri, metadata_hash=digest, nft_contract=nft_contract)

    def mark_sent(self, publication_id: int, tx_hash: str, nonce: int, raw_tx: str) -> Publication:
        """Record the signed transaction; committed before it is broadcast."""
        try:
            self._update(publication_id, ("draft",), state="sent", tx_hash=tx_hash, nonce=nonce, raw_tx=raw_tx,
                         error=None)
        except ConstraintViolation:
            raise NonceConflict(
                f"nonce {nonce} of this wallet is already used by another publication in the journal",
                hint="run `studio publish status` to settle it, then try again",
            ) from None
        return self.get(publication_id)

    def confirm(self, publication_id: int, ip_id: str, token_id: int, nft_contract: str,
                license_terms_ids: tuple[int, ...]) -> Publication:
        self._update(publication_id, ("sent",), state="confirmed", ip_id=ip_id, token_id=str(token_id),
                     nft_contract=nft_contract, license_terms_ids=list(license_terms_ids), error=None)
        return self.get(publication_id)

    def fail(self, publication_id: int, reason: str) -> Publication:
        self._update(publication_id, ("draft", "sent"), state="failed", error=reason)
        return self.get(publication_id)

    def set_readback(self, publication_id: int, readback: dict[str, Any]) -> Publication:
        self._update(publication_id, ("confirmed",), readback=readback)
        return self.get(publication_id)

    def record_imported(self, work_id: str, network: str, chain_id: int, *, ip_id: str, token_id: int,
                        nft_contract: str, license_terms_ids: tuple[int, ...], metadata_uri: str | None,
                        metadata_hash: str | None, readback: dict[str, Any]) -> Publication:
        try:
            return self.records.insert_imported(
                work_id, network, chain_id, ip_id=ip_id, token_id=token_id, nft_contract=nft_contract,
                license_terms_ids=license_terms_ids, metadata_uri=metadata_uri, metadata_hash=metadata_hash,
                readback=readback,
            )
        except ConstraintViolation:
            live = self.live(work_id, network)
            raise _already(live) if live else AlreadyPublished(f"IP {ip_id} is already in the library") from None

    def _update(self, publication_id: int, from_states: tuple[str, ...], **fields: Any) -> None:
        if not self.records.update_from(publication_id, from_states, **fields):
            current = self.get(publication_id)
            if current.state in ("sent", "confirmed"):
                raise _already(current)  # another publisher sent this draft first: never sent twice
            raise AlreadyPublished(
                f"publication {publication_id} is {current.state}, not {' or '.join(from_states)}",
                hint="run `studio publish status` to see where it stands",
            )


# A draft another wallet left behind this long ago is taken as abandoned (its run stopped before sending): the
# guarded move to `sent` still lets only one publisher send it.
ABANDONED_DRAFT_S = 15 * 60


def _someone_elses(pub: Publication, wallet: str) -> bool:
    """Whether a draft is another publisher's run in progress."""
    if (pub.wallet or "").lower() == wallet.lower():
        return False
    try:
        written = datetime.fromisoformat(pub.updated_at.replace("Z", "+00:00"))
    except ValueError:
        return True
    return (datetime.now(UTC) - written).total_seconds() < ABANDONED_DRAFT_S


def _already(pub: Publication) -> AlreadyPublished:
    if pub.state == "draft":
        return AlreadyPublished(
            f"work {pub.work_id} is being published to {pub.network} by {pub.author} since {pub.created_at}; "
            "it is never sent twice",
            hint="wait for that publication, then run `studio publish status`",
        )
    if pub.state == "sent":
        return AlreadyPublished(
            f"work {pub.work_id} was sent to {pub.network} by {pub.author} at {pub.updated_at} (transaction "
            f"{pub.tx_hash}) and waits for its receipt; it is never sent twice",
            hint="run `studio publish status` to settle it",
        )
    return AlreadyPublished(f"work {pub.work_id} is already on {pub.network} as IP {pub.ip_id}, published by "
                            f"{pub.author} at {pub.updated_at}")
