"""Content Credentials in the library: read and judged on import, written on export.

On import the file's manifest is verified against the user's trust anchors and the verdict is stored in the
`credentials` table. Ingredients the manifest names become lineage edges where the library knows the parent:
by the work id the manifest carries (this library's id, or the id a signed copy of the parent claimed when it
was imported here), by the ingredient's own manifest (a signed copy imported or exported here), or by a
content hash in the ingredient's metadata.

What users expect of a suspicious file decides the rest:
- no credentials: the image imports as any other;
- credentials by a signer the user does not trust: imported, verdict "valid", the signer named, edges kept
  (a claimed parent only adds obligations, never rights);
- pixels changed after signing: imported (the image is real and the user may want it), but flagged
  `credentials_tampered`, which the license check turns into "cannot be published"; its claimed ingredients
  describe other pixels, so they become no edges;
- credentials that cannot be parsed safely (malformed, oversized, stored online): the import fails with a
  clear error and nothing is written. A file built to break the reader is not one to keep unexamined in a
  library whose point is trustworthy provenance.

On export the work's image is signed with the creator's identity; its parent images go in as ingredients,
each as its own signed copy (made recursively, cached under `<library>/exports/` and reused while what it
states is unchanged), so the exported file carries its whole ancestry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studio.core.types import Work, WorkKind
from studio.errors import InvalidInput
from studio.licensing import LicenseCatalog
from studio.lineage.graph import LineageGraph
from studio.provenance import read_credentials
from studio.secrets import SecretStore
from studio.services.approval import ReleaseGate, ensure_released
from studio.services.credential_reading import (
    FLAG_INVALID,
    FLAG_TAMPERED,
    INGREDIENT_RELATIONS,
    ImportedCredentials,
    KnownIngredient,
    read_on_import,
    signer_text,
    store_verdict,
)
from studio.services.credential_signing import EXPORTS_FOLDER, Exporter, check_target, image_edges, signing_identity
from studio.store.credentials import CredentialRecord, CredentialRecords
from studio.store.files import sha256_bytes, write_atomic
from studio.store.images import SUPPORTED
from studio.store.output_paths import check_output_path
from studio.store.publications import PublicationRecords
from studio.store.works import WorkRepository

__all__ = [
    "EXPORTS_FOLDER", "FLAG_INVALID", "FLAG_TAMPERED", "INGREDIENT_RELATIONS", "CredentialsService", "ExportResult",
    "ImportedCredentials", "KnownIngredient", "StoredCredentials", "signer_text",
]


# The verdict recorded for a work is the credentials table's own record (its `source` included).
StoredCredentials = CredentialRecord


@dataclass(frozen=True)
class ExportResult:
    work_id: str
    path: Path
    sha256: str
    size: int
    kind: str  # the kind of creation the manifest states
    signer: str
    state: str  # the exported file's credentials, read back
    manifest_label: str | None
    ingredients: tuple[str, ...]  # parent work ids named as ingredients
    story_ip_id: str | None


class CredentialsService:
    """Content Credentials of one library's works: judged on import, stored, and signed on export."""

    def __init__(
        self,
        *,
        works: WorkRepository,
        credentials: CredentialRecords,
        publications: PublicationRecords,
        graph: LineageGraph,
        catalog: LicenseCatalog,
        gate: ReleaseGate,
        file_of: Callable[[Work], Path | None],
        data_dir: Path,
        library_root: Path,
        readonly: bool,
    ) -> None:
        self.works = works
        self.records = credentials
        self.publications = publications
        self.graph = graph
        self.catalog = catalog
        self.gate = gate
        self.file_of = file_of
        self.data_dir = data_dir
        self.library_root = library_root
        self.readonly = readonly

    def read_on_import(self, data: bytes, name: str) -> ImportedCredentials:
        """Read and judge the credentials of a file about to be imported; raises when they cannot be read safely.

        They are judged against the anchors the user trusts in the data folder (their own CA is added there on
        their first export), so that importing never needs the keyring.
        """
        return read_on_import(self.works, self.records, data, name, self.data_dir)

    def stored(self, ref: str) -> StoredCredentials | None:
        """The verdict recorded for the work, or None when its credentials were never checked."""
        return self.records.get(self.works.resolve(ref).id)

    def export(
        self,
        ref: str,
        target: Path,
        *,
        signer: str | None = None,
        secrets: SecretStore | None = None,
        overwrite: bool = False,
    ) -> ExportResult:
        """Write the work's image to `target`, signed with Content Credentials that state its lineage.

        Refuses (ReleaseNotApproved) when the library requires review and the work is not approved. `signer`
        names the creator who signs; without it the existing signing identity is used.
        """
        work = self.works.resolve(ref)
        if work.kind is not WorkKind.image or not work.file_path:
            raise InvalidInput(f"“{work.title}” is a {work.kind.value}, not an image", hint="export an image work")
        ensure_released(self.gate, work.id)
        check_target(work, target)
        target = check_output_path(target, library_root=self.library_root, overwrite=overwrite)
        identity = signing_identity(secrets or SecretStore(), self.data_dir, signer)
        exporter = Exporter(
            identity, works=self.works, graph=self.graph, catalog=self.catalog, publications=self.publications,
            file_of=self.file_of, data_dir=self.data_dir, library_root=self.library_root, readonly=self.readonly,
        )
        signed = exporter.signed_copy(work.id)
        try:
            write_atomic(target, signed)
        except OSError as exc:
            raise InvalidInput(f"cannot write {target}: {exc.strerror}") from None
        mime = SUPPORTED[work.format or ""][1]
        report = read_credentials(signed, mime, trust_anchors=exporter.anchors)
        if not self.readonly:  # on read-only media the export is complete without its recorded verdict
            named = [
                KnownIngredient(n, i.work_id, INGREDIENT_RELATIONS[i.relationship or "parentOf"], "export")
                for n, i in enumerate(report.ingredients)
                if i.work_id in exporter.copies and i.relationship in INGREDIENT_RELATIONS
            ]
            # An import verdict stays: it is what the file the library holds said (a tampered file must stay so).
            store_verdict(self.records, work.id, report, "export", named, keep_judged=True)
        story = exporter.story(work.id)
        return ExportResult(
            work_id=work.id,
            path=target,
            sha256=sha256_bytes(signed),
            size=len(signed),
            kind=exporter.kinds[work.id],
            signer=identity.creator_name,
            state=report.state,
            manifest_label=report.manifest_label,
            ingredients=tuple(e.parent_id for e in image_edges(self.graph, work.id)),
            story_ip_id=story.ip_id if story else None,
        )
