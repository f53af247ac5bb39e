"""Where a work is registered on Story, in the words `show`, the license panel and the report use."""

from __future__ import annotations

from collections.abc import Iterable

from studio.report import records
from studio.report.model import PublicationEntry, Registration
from studio.store.publications import PublicationRecords
from studio.story.networks import NETWORKS


def explorer_url(network: str, ip_id: str) -> str | None:
    known = NETWORKS.get(network)
    return f"{known.explorer}/address/{ip_id}" if known is not None and known.explorer else None


def confirmed(publications: Iterable[PublicationEntry]) -> list[Registration]:
    """The confirmed registrations among journal rows, one per network (the latest)."""
    found: dict[str, Registration] = {}
    for pub in publications:
        if pub.state == "confirmed" and pub.ip_id:
            url = explorer_url(pub.network, pub.ip_id)
            found[pub.network] = Registration(pub.ip_id, pub.network, pub.chain_id, url)
    return list(found.values())


def registrations_of(publications: PublicationRecords, work_id: str) -> list[Registration]:
    return confirmed(records.publications(publications, [work_id]).get(work_id, ()))
