"""Where a work is registered on Story, in the words `show`, the license panel and the report use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from studio.report import records
from studio.report.model import Publication
from studio.store.publications import PublicationRecords
from studio.story.networks import NETWORKS


@dataclass(frozen=True)
class Registration:
    """A confirmed registration of a work as a Story IP asset on one network."""

    ip_id: str
    network: str
    chain_id: int
    explorer_url: str | None  # None where the network has no block explorer (the local devnet)

    @property
    def text(self) -> str:
        return f"Published as IP {self.ip_id} on {self.network}"

    @property
    def explorer_text(self) -> str:
        if self.explorer_url is not None:
            return self.explorer_url
        return f"{self.network} has no block explorer: the IP lives on this computer's local chain only"

    def to_dict(self) -> dict[str, str | int | None]:
        return {"id": self.ip_id, "network": self.network, "chain_id": self.chain_id, "explorer_url": self.explorer_url}


def explorer_url(network: str, ip_id: str) -> str | None:
    known = NETWORKS.get(network)
    return f"{known.explorer}/address/{ip_id}" if known is not None and known.explorer else None


def confirmed(publications: Iterable[Publication]) -> list[Registration]:
    """The confirmed registrations among journal rows, one per network (the latest)."""
    found: dict[str, Registration] = {}
    for pub in publications:
        if pub.state == "confirmed" and pub.ip_id:
            url = explorer_url(pub.network, pub.ip_id)
            found[pub.network] = Registration(pub.ip_id, pub.network, pub.chain_id, url)
    return list(found.values())


def registrations_of(publications: PublicationRecords, work_id: str) -> list[Registration]:
    return confirmed(records.publications(publications, [work_id]).get(work_id, ()))
