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

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.core.types import LoraUse, Recipe, Relation, Work, WorkKind
from studio.errors import InvalidInput, NotFound
from studio.lineage.graph import ParentLink
from studio.provenance import (
    CreatorIdentity,
    CredentialReport,
    IngredientSource,
    LicenseRef,
    ProvenanceClaim,
    ProvenanceError,
    StoryRef,
    add_trust_anchor,
    ensure_identity,
    load_identity,
    read_credentials,
    sign_image,
    trust_anchors,
    user_trust_anchors,
)
from studio.provenance.container import scan, sniff
from studio.provenance.manifest import INGREDIENT_SHA256_KEY
from studio.provenance.status_codes import is_tamper
from studio.report import records as report_records
from studio.secrets import SecretStore
from studio.services.review import ensure_release_allowed
from studio.store.db import Database
from studio.store.files import sha256_bytes, write_atomic
from studio.store.images import SUPPORTED, check_image
from studio.store.library import Library
from studio.store.output_paths import check_output_path
from studio.store.works import now_iso

if TYPE_CHECKING:
    from studio.provenance import SignerInfo
    from studio.services.studio import Studio

FLAG_TAMPERED = "credentials_tampered"
FLAG_INVALID = "credentials_invalid"
INGREDIENT_RELATIONS = {"parentOf": Relation.remix_of, "componentOf": Relation.composite_of}
EXPORTS_FOLDER = "exports"
_SUFFIXES = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg"), "WEBP": (".webp",)}
_MAX_TITLE = 500
_TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_COPY_VERSION = 1  # bump when what a signed copy states changes, so cached copies are made again


# -- import ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownIngredient:
    index: int
    parent_id: str
    relation: Relation
    matched_by: str  # work_id | claimed_work_id | manifest | sha256


@dataclass(frozen=True)
class ImportedCredentials:
    """What the file's Content Credentials say, judged; `report` is None for a format that cannot carry them."""

    report: CredentialReport | None
    known: tuple[KnownIngredient, ...] = ()
    flags: tuple[dict[str, str], ...] = ()

    @property
    def links(self) -> list[ParentLink]:
        return [ParentLink(k.parent_id, k.relation) for k in self.known]

    def record(self, db: Database, work_id: str) -> None:
        """Store the verdict for the new work; runs inside the import's transaction."""
        if self.report is not None:
            _store(db, work_id, self.report, "import", self.known)


def read_on_import(library: Library, data: bytes, name: str, data_folder: Path) -> ImportedCredentials:
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
    known = _known_ingredients(library, report) if report.state in ("trusted", "valid") else ()
    return ImportedCredentials(report, tuple(known), tuple(_flags(report)))


def _known_ingredients(library: Library, report: CredentialReport) -> list[KnownIngredient]:
    raw = _raw_ingredients(report)
    found: list[KnownIngredient] = []
    for index, ingredient in enumerate(report.ingredients):
        relation = INGREDIENT_RELATIONS.get(ingredient.relationship or "")
        if relation is None:
            continue
        metadata = raw[index].get("metadata") if index < len(raw) else None
        content = metadata.get(INGREDIENT_SHA256_KEY) if isinstance(metadata, dict) else None
        match = _match(library.db, ingredient.work_id, ingredient.manifest_label, content)
        if match is not None and all(k.parent_id != match[0] for k in found):
            found.append(KnownIngredient(index, match[0], relation, match[1]))
    return found


def _raw_ingredients(report: CredentialReport) -> list[dict[str, Any]]:
    manifests = report.raw.get("manifests")
    active = manifests.get(report.manifest_label) if isinstance(manifests, dict) else None
    items = active.get("ingredients") if isinstance(active, dict) else None
    return [i if isinstance(i, dict) else {} for i in items] if isinstance(items, list) else []


def _match(db: Database, work_id: str | None, label: str | None, content: object) -> tuple[str, str] | None:
    """The library's image work an ingredient is, and how it was recognised."""
    image = "SELECT id FROM works WHERE kind = 'image' AND {}"
    candidates: list[tuple[str, str, tuple[Any, ...]]] = []
    if work_id:
        candidates.append(("work_id", image.format("id = ?"), (work_id,)))
        candidates.append(
            (
                "claimed_work_id",
                image.format("id IN (SELECT work_id FROM credentials WHERE json_extract(report, '$.work_id') = ?)"),
                (work_id,),
            )
        )
    if label:
        candidates.append(
            ("manifest", image.format("id IN (SELECT work_id FROM credentials WHERE manifest_label = ?)"), (label,))
        )
    if isinstance(content, str) and _SHA256.match(content.lower()):
        candidates.append(("sha256", image.format("sha256 = ?"), (content.lower(),)))
    for how, sql, params in candidates:
        row = db.one(sql + " ORDER BY created_at LIMIT 1", params)
        if row is not None:
            return row["id"], how
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


def signer_text(signer: SignerInfo | None) -> str:
    if signer is None or not (signer.common_name or signer.issuer):
        return "an unknown signer"
    if signer.common_name and signer.issuer:
        return f"{signer.common_name} ({signer.issuer})"
    return signer.common_name or signer.issuer or "an unknown signer"


def _store(
    db: Database, work_id: str, report: CredentialReport, source: str, known: Sequence[KnownIngredient] = ()
) -> None:
    linked = {k.index: {"parent_id": k.parent_id, "matched_by": k.matched_by} for k in known}
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
    db.execute(
        """
        INSERT INTO credentials (work_id, state, tampered, signer, manifest_label, summary, report, checked_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (work_id) DO UPDATE SET state = excluded.state, tampered = excluded.tampered,
            signer = excluded.signer, manifest_label = excluded.manifest_label, summary = excluded.summary,
            report = excluded.report, checked_at = excluded.checked_at
        """,
        (
            work_id,
            report.state,
            int(report.tampered),
            signer_text(report.signer) if report.state != "none" else None,
            report.manifest_label,
            report.summary,
            json.dumps(details, ensure_ascii=False, sort_keys=True),
            now_iso(),
        ),
    )


# -- the stored verdict --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredCredentials:
    work_id: str
    state: str
    tampered: bool
    signer: str | None
    manifest_label: str | None
    summary: str
    checked_at: str
    source: str
    details: dict[str, Any] = field(default_factory=dict)


def stored_credentials(studio: Studio, ref: str) -> StoredCredentials | None:
    """The verdict recorded for the work, or None when its credentials were never checked."""
    work = studio.work(ref)
    row = studio.library.db.one("SELECT * FROM credentials WHERE work_id = ?", (work.id,))
    if row is None:
        return None
    verdict = report_records.credentials_verdict(row)
    return StoredCredentials(
        work_id=work.id,
        state=verdict.state,
        tampered=verdict.tampered,
        signer=verdict.signer,
        manifest_label=verdict.manifest_label,
        summary=verdict.summary,
        checked_at=verdict.checked_at,
        source=verdict.source,
        details=report_records.json_object(row["report"]),
    )


# -- export ----------------------------------------------------------------------------------------------------


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


def export_work(
    studio: Studio,
    ref: str,
    target: Path,
    *,
    signer: str | None = None,
    secrets: SecretStore | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Write the work's image to `target`, signed with Content Credentials that state its lineage.

    Refuses (ReleaseNotApproved) when the library requires review and the work is not approved. `signer` names
    the creator who signs; without it the existing signing identity is used.
    """
    work = studio.work(ref)
    if work.kind is not WorkKind.image or not work.file_path:
        raise InvalidInput(f"“{work.title}” is a {work.kind.value}, not an image", hint="export an image work")
    ensure_release_allowed(studio, work.id)
    _check_target(work, target)
    target = check_output_path(target, library_root=studio.library.root, overwrite=overwrite)
    identity = _identity(secrets or SecretStore(), studio.data_dir, signer)
    exporter = _Exporter(studio, identity)
    signed = exporter.signed_copy(work.id)
    try:
        write_atomic(target, signed)
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror}") from None
    mime = SUPPORTED[work.format or ""][1]
    report = read_credentials(signed, mime, trust_anchors=exporter.anchors)
    if not studio.library.readonly:  # on read-only media the export is complete without its recorded verdict
        _record_export_verdict(studio, work.id, report, exporter)
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
        ingredients=tuple(e.parent_id for e in _image_edges(studio, work.id)),
        story_ip_id=story.ip_id if story else None,
    )


def _record_export_verdict(studio: Studio, work_id: str, report: CredentialReport, exporter: _Exporter) -> None:
    with studio.library.db.atomic():
        row = studio.library.db.one("SELECT state FROM credentials WHERE work_id = ?", (work_id,))
        # An import verdict stays: it is what the file the library holds said (a tampered file must stay so).
        if row is None or row["state"] == "none":
            named = [
                KnownIngredient(n, i.work_id, INGREDIENT_RELATIONS[i.relationship or "parentOf"], "export")
                for n, i in enumerate(report.ingredients)
                if i.work_id in exporter.copies and i.relationship in INGREDIENT_RELATIONS
            ]
            _store(studio.library.db, work_id, report, "export", named)


def _check_target(work: Work, target: Path) -> None:
    suffixes = _SUFFIXES.get(work.format or "")
    if suffixes is None:
        raise InvalidInput(f"“{work.title}” is stored as {work.format}, which cannot carry Content Credentials")
    if target.suffix.lower() not in suffixes:
        raise InvalidInput(
            f"“{work.title}” is a {work.format} image; {target.name} names another format",
            hint=f"name the file with {suffixes[0]}",
        )
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder", hint="give a file name")


def _identity(secrets: SecretStore, folder: Path, name: str | None) -> CreatorIdentity:
    if name is None:
        existing = load_identity(secrets, folder)
        if existing is None:
            raise InvalidInput(
                "there is no signing identity yet", hint="name the creator who signs once with --signer 'Your Name'"
            )
        name = existing.creator_name
    identity = ensure_identity(secrets, folder, name)
    if identity.anchor_pem and identity.anchor_pem not in user_trust_anchors(folder):
        # Later imports read without the keyring; the creator's own CA must still make their files "trusted".
        add_trust_anchor(folder, identity.anchor_pem)
    return identity


def _image_edges(studio: Studio, work_id: str) -> list:
    return [e for e in studio.graph.parents(work_id) if e.relation.parent_kind is WorkKind.image]


class _Exporter:
    """Signs a work and, recursively, the parents it names as ingredients; each copy is made once per export."""

    def __init__(self, studio: Studio, identity: CreatorIdentity) -> None:
        self.studio = studio
        self.identity = identity
        self.anchors = trust_anchors(studio.data_dir, identity)
        self.copies: dict[str, bytes] = {}
        self.kinds: dict[str, str] = {}
        self.folder = studio.library.root / EXPORTS_FOLDER

    def signed_copy(self, work_id: str) -> bytes:
        if work_id in self.copies:
            return self.copies[work_id]
        work = self.studio.library.works.get(work_id)
        data = self._file(work)
        mime = SUPPORTED[work.format or ""][1]
        edges = self.studio.graph.parents(work.id)
        if _carries_credentials(data, mime):
            # Signing "imported" keeps the file's own credentials as its ingredient; its history is in them.
            kind, ingredients = "imported", ()
        else:
            kind, ingredients = self._ingredients(work, [e for e in edges if e.relation.parent_kind is WorkKind.image])
        claim = ProvenanceClaim(
            title=_claim_text(work.title),
            work_id=work.id,
            mime=mime,
            kind=kind,  # type: ignore[arg-type]
            ingredients=ingredients,
            recipe=self._recipe(work, edges),
            license=self._license(work),
            story=self.story(work.id),
        )
        cached = self.folder / f"{work.id}-{self._copy_key(work, claim)[:32]}{Path(work.file_path or '').suffix}"
        if cached.is_file():
            signed = cached.read_bytes()
        else:
            signed = sign_image(data, mime, claim, self.identity, trust_anchors=self.anchors)
            if not self.studio.library.readonly:
                write_atomic(cached, signed)
        self.copies[work.id] = signed
        self.kinds[work.id] = kind
        return signed

    def _file(self, work: Work) -> bytes:
        path = self.studio.file_of(work)
        try:
            if path is None:
                raise OSError
            return path.read_bytes()
        except OSError:
            raise NotFound(
                f"the image of “{work.title}” ({work.id}) is missing from the library ({path})",
                hint="restore the library folder from a backup",
            ) from None

    def _ingredients(self, work: Work, edges: Sequence) -> tuple[str, tuple[IngredientSource, ...]]:
        """The kind of creation and one ingredient per parent image, the main parent (parentOf) first."""
        if not edges:
            return ("generated" if work.origin.value == "generated" else "imported"), ()
        main = next((e for e in edges if e.relation in (Relation.remix_of, Relation.inpaint_of)), None)
        ordered = [main, *(e for e in edges if e is not main)] if main is not None else list(edges)
        ingredients = []
        for edge in ordered:
            parent = self.studio.library.works.get(edge.parent_id)
            ingredients.append(
                IngredientSource(
                    title=_claim_text(parent.title),
                    relationship="parentOf" if edge is main else "componentOf",
                    data=self.signed_copy(parent.id),
                    work_id=parent.id,
                )
            )
        if main is not None:
            kind = "inpaint" if main.relation is Relation.inpaint_of else "remix"
        else:
            kind = "blend" if work.origin.value == "generated" and len(edges) > 1 else "composite"
        return kind, tuple(ingredients)

    def _recipe(self, work: Work, edges: Sequence) -> Recipe | None:
        """The work's recipe; models and LoRAs linked in the lineage are named even when it recorded none."""
        recipe = work.recipe or Recipe()
        tools = self.studio.library.works.get_many(e.parent_id for e in edges)
        models = [tools[e.parent_id] for e in edges if e.relation is Relation.generated_with]
        loras = [(tools[e.parent_id], e.weight) for e in edges if e.relation is Relation.styled_with]
        if recipe.model is None and models:
            recipe = replace(recipe, model=models[0].title, model_sha256=models[0].sha256)
        if not recipe.loras and loras:
            uses = tuple(LoraUse(m.id, weight=1.0 if w is None else w, name=m.title, sha256=m.sha256) for m, w in loras)
            recipe = replace(recipe, loras=uses)
        return recipe if recipe.to_dict() else None

    def _license(self, work: Work) -> LicenseRef:
        lic = self.studio.catalog.get(work.license_id)
        return LicenseRef(id=lic.id, url=lic.legal_url, name=lic.name)

    def story(self, work_id: str) -> StoryRef | None:
        rows = report_records.publications(self.studio.library.db, [work_id]).get(work_id, ())
        confirmed = next((p for p in rows if p.state == "confirmed" and p.ip_id), None)
        if confirmed is None:
            return None
        tx = confirmed.tx_hash if confirmed.tx_hash and _TX_HASH.match(confirmed.tx_hash) else None
        return StoryRef(ip_id=confirmed.ip_id or "", chain_id=confirmed.chain_id, chain=confirmed.network, tx_hash=tx)

    def _copy_key(self, work: Work, claim: ProvenanceClaim) -> str:
        """What a signed copy states and who signs it: a cached copy is reused only while all of it is the same."""
        stated = {
            "version": _COPY_VERSION,
            "image": work.sha256,
            "signer": self.identity.fingerprint,
            "title": claim.title,
            "kind": claim.kind,
            "recipe": claim.recipe.to_dict() if claim.recipe else None,
            "license": claim.license.to_dict() if claim.license else None,
            "story": claim.story.to_dict() if claim.story else None,
            "ingredients": [
                [i.title, i.relationship, i.work_id, sha256_bytes(i.data or b"")] for i in claim.ingredients
            ],
        }
        return hashlib.sha256(json.dumps(stated, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _carries_credentials(data: bytes, mime: str) -> bool:
    return scan(data, mime).manifest_bytes > 0


def _claim_text(text: str) -> str:
    cleaned = "".join(c for c in " ".join(text.split()) if c.isprintable())
    return cleaned[:_MAX_TITLE] or "untitled"
