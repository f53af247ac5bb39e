"""Reading what other parts of the studio recorded about works (the publishing journal, Content Credentials),
through their record classes, as the report's values."""

from __future__ import annotations

from collections.abc import Iterable

from studio.report.model import CredentialsVerdict, PublicationEntry
from studio.store.credentials import CredentialRecord, CredentialRecords, json_object
from studio.store.publications import PublicationRecords

__all__ = ["credentials", "credentials_verdict", "json_object", "publications"]


def publications(records: PublicationRecords, work_ids: Iterable[str]) -> dict[str, tuple[PublicationEntry, ...]]:
    """Every journal row of the works, oldest first (a failed attempt may precede the confirmed one)."""
    return {
        work_id: tuple(PublicationEntry(p.network, int(p.chain_id), p.state, p.ip_id, p.tx_hash) for p in rows)
        for work_id, rows in records.of_works(dict.fromkeys(work_ids)).items()
    }


def credentials(records: CredentialRecords, work_ids: Iterable[str]) -> dict[str, CredentialsVerdict]:
    return {work_id: credentials_verdict(record) for work_id, record in records.of_works(work_ids).items()}


def credentials_verdict(record: CredentialRecord) -> CredentialsVerdict:
    return CredentialsVerdict(
        state=record.state,
        tampered=record.tampered,
        signer=record.signer,
        summary=record.summary,
        manifest_label=record.manifest_label,
        checked_at=record.checked_at,
        source=record.source,
    )
