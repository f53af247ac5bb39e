"""Signed copies of works for export: the image with Content Credentials stating its lineage, its parent images
as ingredients (each its own signed copy, made recursively, cached under `<library>/exports/` and reused while
what it states is unchanged), its recipe, license, Story registration and whether others may train AI models on it
(the CAWG training-mining assertion, and IPTC plus:DataMining in the file's XMP)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from studio.core.types import Edge, LoraUse, Origin, Recipe, Relation, Work, WorkKind
from studio.errors import InvalidInput, NotFound
from studio.licensing import LicenseCatalog, LicensedWork, WorkTerms, training_verdict
from studio.licensing.training import DMI_ALLOWED, DMI_DENIED, signals_with_choice
from studio.lineage.graph import LineageGraph
from studio.metadata.xmp import data_mining_packet, embed_xmp
from studio.provenance import (
    CreatorIdentity,
    IngredientSource,
    LicenseRef,
    ProvenanceClaim,
    StoryRef,
    add_trust_anchor,
    ensure_identity,
    load_identity,
    sign_image,
    trust_anchors,
    user_trust_anchors,
)
from studio.provenance.container import scan
from studio.report import records as report_records
from studio.secrets import SecretStore
from studio.store.files import sha256_bytes, write_atomic
from studio.store.images import SUPPORTED
from studio.store.publications import PublicationRecords
from studio.store.training_permissions import TrainingPermissions
from studio.store.works import WorkRepository

EXPORTS_FOLDER = "exports"
_SUFFIXES = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg"), "WEBP": (".webp",)}
_MAX_TITLE = 500
_TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
_COPY_VERSION = 2  # bump when what a signed copy states changes, so cached copies are made again


def check_target(work: Work, target: Path) -> None:
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


def signing_identity(secrets: SecretStore, folder: Path, name: str | None) -> CreatorIdentity:
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


def image_edges(graph: LineageGraph, work_id: str) -> list[Edge]:
    """The work's parents that are images: the ones named as ingredients."""
    return [e for e in graph.parents(work_id) if e.relation.parent_kind is WorkKind.image]


class Exporter:
    """Signs a work and, recursively, the parents it names as ingredients; each copy is made once per export."""

    def __init__(
        self,
        identity: CreatorIdentity,
        *,
        works: WorkRepository,
        graph: LineageGraph,
        catalog: LicenseCatalog,
        publications: PublicationRecords,
        file_of: Callable[[Work], Path | None],
        data_dir: Path,
        library_root: Path,
        readonly: bool,
    ) -> None:
        self.identity = identity
        self.works = works
        self.graph = graph
        self.catalog = catalog
        self.publications = publications
        self.file_of = file_of
        self.readonly = readonly
        self.anchors = trust_anchors(data_dir, identity)
        self.copies: dict[str, bytes] = {}
        self.kinds: dict[str, str] = {}
        self.folder = library_root / EXPORTS_FOLDER

    def signed_copy(self, work_id: str) -> bytes:
        if work_id in self.copies:
            return self.copies[work_id]
        work = self.works.get(work_id)
        data = self._file(work)
        mime = SUPPORTED[work.format or ""][1]
        edges = self.graph.parents(work.id)
        training = self._others_may_train(work)
        if _carries_credentials(data, mime):
            # Signing "imported" keeps the file's own credentials as its ingredient; its history is in them.
            kind, ingredients = "imported", ()
        else:
            kind, ingredients = self._ingredients(work, [e for e in edges if e.relation.parent_kind is WorkKind.image])
            # The file's own XMP stays as it is; a file without any states the training verdict in IPTC terms.
            data = embed_xmp(data, data_mining_packet(DMI_ALLOWED if training else DMI_DENIED))
        claim = ProvenanceClaim(
            title=_claim_text(work.title),
            work_id=work.id,
            mime=mime,
            kind=kind,  # type: ignore[arg-type]
            ingredients=ingredients,
            recipe=self._recipe(work, edges),
            license=self._license(work),
            story=self.story(work.id),
            training_allowed=training,
        )
        cached = self.folder / f"{work.id}-{self._copy_key(work, claim)[:32]}{Path(work.file_path or '').suffix}"
        if cached.is_file():
            signed = cached.read_bytes()
        else:
            signed = sign_image(data, mime, claim, self.identity, trust_anchors=self.anchors)
            if not self.readonly:
                write_atomic(cached, signed)
        self.copies[work.id] = signed
        self.kinds[work.id] = kind
        return signed

    def _file(self, work: Work) -> bytes:
        path = self.file_of(work)
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
            parent = self.works.get(edge.parent_id)
            ingredients.append(
                IngredientSource(
                    title=_claim_text(parent.title),
                    relationship="parentOf" if edge is main else "componentOf",
                    data=self.signed_copy(parent.id),
                    work_id=parent.id,
                    original_sha256=parent.sha256,
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
        tools = self.works.get_many(e.parent_id for e in edges)
        models = [tools[e.parent_id] for e in edges if e.relation is Relation.generated_with]
        loras = [(tools[e.parent_id], e.weight) for e in edges if e.relation is Relation.styled_with]
        if recipe.model is None and models:
            recipe = replace(recipe, model=models[0].title, model_sha256=models[0].sha256)
        if not recipe.loras and loras:
            uses = tuple(LoraUse(m.id, weight=1.0 if w is None else w, name=m.title, sha256=m.sha256) for m, w in loras)
            recipe = replace(recipe, loras=uses)
        return recipe if recipe.to_dict() else None

    def _others_may_train(self, work: Work) -> bool:
        """What the work states to everyone else about training: its license, the owner's choice, its file, and a
        model up its lineage whose license forbids training on what it made (FLUX.1 [dev])."""
        permission = TrainingPermissions(self.works.db).get(work.id)
        edges = self.graph.ancestor_edges(work.id)
        parents: dict[str, list[tuple[str, Relation]]] = {}
        for e in sorted(set(edges), key=lambda e: (e.child_id, e.position, e.parent_id)):
            parents.setdefault(e.child_id, []).append((e.parent_id, e.relation))
        found = self.works.get_many({e.parent_id for e in edges} | {work.id})
        lineage = {
            w.id: LicensedWork(
                id=w.id, title=w.title, creator=w.creator, kind=w.kind,
                terms=WorkTerms(self.catalog.get(w.license_id)),
                # The exported work as before; an ancestor is the user's only when they generated it.
                owned=w.origin is not Origin.imported if w.id == work.id else w.origin is Origin.generated,
                parents=tuple((pid, rel) for pid, rel in parents.get(w.id, ()) if pid in found),
                training=signals_with_choice(permission.choice, permission.signals)
                if permission and w.id == work.id else (),
            )
            for w in found.values()
        }
        return training_verdict(lineage[work.id], works=lineage).others_allowed

    def _license(self, work: Work) -> LicenseRef:
        lic = self.catalog.get(work.license_id)
        return LicenseRef(id=lic.id, url=lic.legal_url, name=lic.name)

    def story(self, work_id: str) -> StoryRef | None:
        rows = report_records.publications(self.publications, [work_id]).get(work_id, ())
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
            "training": claim.training_allowed,
            "ingredients": [
                [i.title, i.relationship, i.work_id, i.original_sha256, sha256_bytes(i.data or b"")]
                for i in claim.ingredients
            ],
        }
        return hashlib.sha256(json.dumps(stated, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _carries_credentials(data: bytes, mime: str) -> bool:
    return scan(data, mime).manifest_bytes > 0


def _claim_text(text: str) -> str:
    cleaned = "".join(c for c in " ".join(text.split()) if c.isprintable())
    return cleaned[:_MAX_TITLE] or "untitled"
