"""Content Credentials of a file being imported: read safely, judged against the user's trust anchors, their
ingredients matched to works the library knows, and the verdict stored with the new work (see
`studio.services.credentials` for what users expect of a suspicious file)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.types import Relation
from studio.lineage.graph import ParentLink
from studio.provenance import CredentialReport, ProvenanceError, read_credentials, signer_text, trust_anchors
from studio.provenance.container import sniff
from studio.provenance.manifest import INGREDIENT_ORIGINAL_KEY, INGREDIENT_SHA256_KEY
from studio.provenance.status_codes import is_tamper
from studio.store.credentials import CredentialRecords
from studio.store.images import check_image
from studio.store.works import WorkRepository

FLAG_TAMPERED = "credentials_tampered"
FLAG_INVALID = "credentials_invalid"
INGREDIENT_RELATIONS = {"parentOf": Relation.remix_of, "componentOf": Relation.composite_of}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class KnownIngredient:
    index: int
    parent_id: str
    relation: Relation
    matched_by: str  # work_id | claimed_work_id | manifest | sha256


@dataclass(frozen=True)
class ImportedCredentials:
    """What the file's Content Credentials say, judged; `report` is None for a format that cannot carry them.

    `known` are the ingredients that become lineage: only credentials from a signer the user trusts say so.
    `claimed` are ingredients that name a work the library holds in credentials from a signer the user does not
    trust: shown with the work (work ids and hashes are public, so anyone can name them), never turned into edges.
    """

    report: CredentialReport | None
    known: tuple[KnownIngredient, ...] = ()
    flags: tuple[dict[str, str], ...] = ()
    claimed: tuple[KnownIngredient, ...] = ()

    @property
    def links(self) -> list[ParentLink]:
        return [ParentLink(k.parent_id, k.relation) for k in self.known]

    def record(self, records: CredentialRecords, work_id: str) -> None:
        """Store the verdict for the new work; runs inside the import's transaction."""
        if self.report is not None:
            store_verdict(records, work_id, self.report, "import", self.known, claimed=self.claimed)

    def notes(self, work_id: str) -> tuple[str, ...]:
        """One line per untrusted claim of a parent the library holds: what it says and how to link it anyway."""
        who = signer_text(self.report.signer) if self.report is not None else "an unknown signer"
        return tuple(
            f"its Content Credentials, signed by {who} whom you do not trust, name work {k.parent_id} as its "
            f"{'parent' if k.relation is Relation.remix_of else 'component'}; not linked (link it with "
            f"`studio link {work_id} {k.parent_id}` if you believe them)"
            for k in self.claimed
        )


def read_on_import(
    works: WorkRepository, records: CredentialRecords, data: bytes, name: str, data_folder: Path
) -> ImportedCredentials:
    """Read and judge the credentials of a file about to be imported; raises when they cannot be read safely.

    They are judged against the anchors the user trusts in `data_folder` (their own CA is added there on their
    first export), so that importing never needs the keyring.
    """
    mime = sniff(data)
    if mime is None:
        return ImportedCredentials(None)  # not an image the credentials reader knows; the image check refuses it
    anchors = trust_anchors(data_folder)
    try:
        report = read_credentials(data, mime, trust_anchors=anchors)
    except ProvenanceError as exc:
        check_image(data, name=name)  # a damaged image is reported as such, not as damaged credentials
        raise ProvenanceError(
            f"{name} was not imported: its Content Credentials cannot be read safely ({exc.message})",
            hint="the file is malformed or hostile; if you trust the image, save a copy without its metadata",
        ) from None
    named = _known_ingredients(works, records, report) if report.state in ("trusted", "valid") else []
    if report.state == "trusted":
        return ImportedCredentials(report, tuple(named), tuple(_flags(report)))
    return ImportedCredentials(report, (), tuple(_flags(report)), claimed=tuple(named))


def _known_ingredients(
    works: WorkRepository, records: CredentialRecords, report: CredentialReport
) -> list[KnownIngredient]:
    raw = _raw_ingredients(report)
    found: list[KnownIngredient] = []
    for index, ingredient in enumerate(report.ingredients):
        relation = INGREDIENT_RELATIONS.get(ingredient.relationship or "")
        if relation is None:
            continue
        metadata = raw[index].get("metadata") if index < len(raw) else None
        metadata = metadata if isinstance(metadata, dict) else {}
        content = [metadata.get(INGREDIENT_ORIGINAL_KEY), metadata.get(INGREDIENT_SHA256_KEY)]
        match = _match(works, records, ingredient.work_id, ingredient.manifest_label, content)
        if match is not None and all(k.parent_id != match[0] for k in found):
            found.append(KnownIngredient(index, match[0], relation, match[1]))
    return found


def _raw_ingredients(report: CredentialReport) -> list[dict[str, Any]]:
    manifests = report.raw.get("manifests")
    active = manifests.get(report.manifest_label) if isinstance(manifests, dict) else None
    items = active.get("ingredients") if isinstance(active, dict) else None
    return [i if isinstance(i, dict) else {} for i in items] if isinstance(items, list) else []


def _match(
    works: WorkRepository, records: CredentialRecords, work_id: str | None, label: str | None, content: list[object]
) -> tuple[str, str] | None:
    """The library's image work an ingredient is, and how it was recognised (its id, a signed copy of it, its
    manifest, or the content hash of its original file or of the copy the manifest holds)."""
    candidates: list[tuple[str, Any]] = []
    if work_id:
        candidates.append(("work_id", lambda: works.image_id(work_id=work_id)))
        candidates.append(("claimed_work_id", lambda: records.image_claiming(work_id)))
    if label:
        candidates.append(("manifest", lambda: records.image_with_manifest(label)))
    for digest in dict.fromkeys(c.lower() for c in content if isinstance(c, str) and _SHA256.match(c.lower())):
        candidates.append(("sha256", lambda digest=digest: works.image_id(sha256=digest)))
    for how, find in candidates:
        found = find()
        if found is not None:
            return found, how
    return None


def _flags(report: CredentialReport) -> list[dict[str, str]]:
    who = signer_text(report.signer)
    if report.tampered:
        detail = next((e.explanation for e in report.errors if is_tamper(e.code, e.scope)), "it changed after signing")
        message = f"its Content Credentials (signed by {who}) do not match the image: {detail}"
        return [{"code": FLAG_TAMPERED, "message": message, "severity": "block", "scope": "publish"}]
    if report.state == "invalid":
        # An unknown signer alone leaves credentials "valid"; name the failure that made them invalid.
        failures = [e for e in report.errors if e.code != "signingCredential.untrusted"] or list(report.errors)
        detail = failures[0].explanation if failures else "they failed validation"
        message = f"its Content Credentials (signed by {who}) are invalid: {detail}"
        return [{"code": FLAG_INVALID, "message": message, "severity": "block", "scope": "publish"}]
    return []


def store_verdict(
    records: CredentialRecords, work_id: str, report: CredentialReport, source: str,
    known: Sequence[KnownIngredient] = (), *, keep_judged: bool = False, claimed: Sequence[KnownIngredient] = (),
) -> None:
    """Store the verdict; with `keep_judged` a verdict that already judged credentials stays. `claimed` are
    ingredients that name a library work without a trusted signature: kept to be shown, not linked."""
    linked = {k.index: {"parent_id": k.parent_id, "matched_by": k.matched_by} for k in known}
    unlinked = {k.index: {"parent_id": k.parent_id, "matched_by": k.matched_by, "linked": False,
                          "why": "the signer is not trusted"} for k in claimed}
    details = {
        "source": source,
        "work_id": report.work_id,
        "title": report.title,
        "kind": report.kind,
        "actions": list(report.actions),
        "ingredients": [
            {
                "title": i.title,
                "relationship": i.relationship,
                "work_id": i.work_id,
                "manifest_label": i.manifest_label,
                "has_credentials": i.has_credentials,
                "signer": signer_text(i.signer) if i.signer else None,
                "linked": linked.get(n),
                "claims": unlinked.get(n),
            }
            for n, i in enumerate(report.ingredients)
        ],
        "errors": [{"code": e.code, "explanation": e.explanation, "scope": e.scope} for e in report.errors],
        "recipe": report.recipe.to_dict() if report.recipe else None,
        "license": report.license.to_dict() if report.license else None,
        "story": report.story.to_dict() if report.story else None,
        "manifest_count": report.manifest_count,
        "manifest_bytes": report.manifest_bytes,
    }
    put = records.put_if_unjudged if keep_judged else records.put
    put(
        work_id,
        state=report.state,
        tampered=report.tampered,
        signer=signer_text(report.signer) if report.state != "none" else None,
        manifest_label=report.manifest_label,
        summary=report.summary,
        details=details,
    )
