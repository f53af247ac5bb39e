"""Bringing an image file into the library: check it, store the file, then its rows in one transaction.

`ImportService` decides what an imported work is: its license (inherited from its parents where their terms say
so), its parents (given, or named by its Content Credentials), its embedded recipe and its audit flags.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from studio.core.types import Origin, Relation, Work, WorkKind
from studio.errors import StudioError
from studio.licensing import TrainingSignal, WorkTerms, signal_from_dmi
from studio.lineage.graph import LineageGraph, ParentLink
from studio.metadata import ForeignRecipe, read_png_recipe
from studio.metadata.xmp import read_data_mining
from studio.services.licensing_view import LicenseView, raise_request_errors
from studio.services.recipe_models import matched_recipe
from studio.store.credentials import CredentialRecords
from studio.store.db import Database
from studio.store.files import sha256_bytes
from studio.store.images import DEFAULT_MAX_PIXELS, MAX_FILE_BYTES, check_image
from studio.store.reading import read_regular_file
from studio.store.training_permissions import TrainingPermissions
from studio.store.works import NewWork, WorkRepository

if TYPE_CHECKING:
    from studio.services.credentials import CredentialsService


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    title: str | None = None
    creator: str | None = None
    license_id: str | None = None
    rev_share: int | None = None
    minting_fee: int | None = None
    royalty_policy: str | None = None
    parents: tuple[str, ...] = ()
    relation: Relation = Relation.remix_of
    description: str | None = None


@dataclass(frozen=True)
class ImportOutcome:
    work: Work
    created: bool
    recipe_source: str | None = None
    recipe_notes: tuple[str, ...] = ()  # embedded recipe fields that were ignored as unusable
    credential_notes: tuple[str, ...] = ()  # parents its credentials name without a trusted signature (unlinked)


def read_file(path: Path) -> bytes:
    """The image file's bytes: a regular file (not a pipe or device) no larger than the store accepts."""
    return read_regular_file(path, MAX_FILE_BYTES, what="an image file")


StagedFile = Callable[[bytes, str, str], AbstractContextManager[str]]


class ImageStore:
    """The library's image works: each file in the content-addressed store, then its row and its edges."""

    def __init__(self, *, works: WorkRepository, graph: LineageGraph, db: Database, staged_file: StagedFile) -> None:
        self.works = works
        self.graph = graph
        self.db = db  # the work row, its edges and its audit flags are one transaction
        self._staged_file = staged_file  # the library's: the file on disk before the row, removed if the row fails

    def store(
        self,
        data: bytes,
        *,
        name: str,
        new_work: NewWork,
        parents: Sequence[ParentLink] = (),
        flags_for: Callable[[str], Sequence[dict]] | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> ImportOutcome:
        """Validate and store `data` as a new image work (or return the existing one with the same bytes).

        The file reaches disk (fsynced, renamed) before its row; the work row and its edges are one transaction,
        and `flags_for(work_id)` (license audit) runs inside it so a flagged work is never visible unflagged.
        """
        checked = check_image(data, name=name, max_pixels=max_pixels)
        sha256 = sha256_bytes(data)
        existing = self.works.by_sha256(sha256)
        if existing is not None:
            return ImportOutcome(work=existing, created=False)
        with self._staged_file(data, sha256, checked.ext) as relative, self.db.atomic():
            work = self.works.insert(
                replace(
                    new_work,
                    kind=WorkKind.image,
                    sha256=sha256,
                    phash=checked.phash,
                    file_path=relative,
                    format=checked.format,
                    width=checked.width,
                    height=checked.height,
                    size_bytes=len(data),
                )
            )
            if parents:
                self.graph.add_parents(work.id, parents)
            if flags_for is not None:
                flags = flags_for(work.id)
                if flags:
                    self.works.set_flags(work.id, flags)
            work = self.works.get(work.id)
        return ImportOutcome(work=work, created=True)


def default_title(path: Path) -> str:
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name



def relation_for(parent: Work, requested: Relation) -> Relation:
    """Models and LoRAs are always linked by what they are; images by what the user said."""
    if parent.kind is WorkKind.model:
        return Relation.generated_with
    if parent.kind is WorkKind.lora:
        return Relation.styled_with
    return requested


class ImportService:
    """Imports image files into one library."""

    def __init__(
        self,
        *,
        works: WorkRepository,
        credential_records: CredentialRecords,
        training: TrainingPermissions,
        images: ImageStore,
        licenses: LicenseView,
        credentials: Callable[[], CredentialsService],
    ) -> None:
        self.works = works
        self.credential_records = credential_records
        self.training = training
        self.images = images
        self.licenses = licenses
        # A factory: the credentials service loads the C2PA SDK, which only importing and exporting need.
        self._credentials = credentials

    def import_image(self, request: ImportRequest) -> ImportOutcome:
        """Import an image; with parents it is a derivative recorded from outside the studio.

        A derivative inherits its parents' license where their terms say so (reciprocal PIL, share-alike),
        and a rev share given for it is Story's raise-only override. Terms that cannot be asked for are an
        input error and nothing is written; a derivative that breaks its parents' terms is still recorded,
        flagged with the reasons, and can never be published. Content Credentials in the file are verified
        and stored; ingredients the library knows become parents too (see `studio.services.credentials`).
        """
        data = read_file(request.path)
        found = _embedded_recipe(data)
        if found is not None:
            found = replace(found, recipe=matched_recipe(self.works, found.recipe))
        credentials = self._credentials().read_on_import(data, request.path.name)
        parents = [self.works.resolve(ref) for ref in request.parents]
        links = [ParentLink(p.id, relation_for(p, request.relation)) for p in parents]
        links += [link for link in credentials.links if link.parent_id not in {p.id for p in parents}]
        if links:
            plan = self.licenses.plan(
                [(link.parent_id, link.relation) for link in links],
                license_id=request.license_id,
                rev_share=request.rev_share,
                minting_fee=request.minting_fee,
                royalty_policy=request.royalty_policy,
            )
            raise_request_errors(plan)
            terms = plan.license
            assert terms is not None
        else:
            terms = WorkTerms(
                self.licenses.catalog.get(request.license_id or "all-rights-reserved"),
                rev_share=request.rev_share,
                minting_fee=request.minting_fee,
                royalty_policy=request.royalty_policy,
            )
        new = NewWork(
            kind=WorkKind.image,
            sha256="",
            title=request.title or default_title(request.path),
            creator=request.creator,
            description=request.description,
            origin=Origin.imported,
            recipe=found.recipe if found else None,
            terms=terms.stored,
        )

        training = training_signals_of(data, credentials.report.training if credentials.report else ())

        def audit(work_id: str) -> list[dict]:
            credentials.record(self.credential_records, work_id)  # inside the import's transaction
            if training:
                self.training.put_signals(work_id, [s.to_dict() for s in training])
            flags = [reason.to_dict() for reason in self.licenses.audit(work_id)] if links else []
            return flags + list(credentials.flags)

        outcome = self.images.store(data, name=request.path.name, new_work=new, parents=links, flags_for=audit)
        return replace(outcome, recipe_source=found.source if found else None,
                       recipe_notes=found.notes if found else (),
                       credential_notes=credentials.notes(outcome.work.id) if outcome.created else ())


def training_signals_of(data: bytes, credentials: Sequence[TrainingSignal]) -> list[TrainingSignal]:
    """What the file says about training AI models on it: its Content Credentials' training-mining entries and
    its XMP plus:DataMining values (stored with the work, so its training verdict never needs the file)."""
    found = list(credentials)
    found += [s for s in map(signal_from_dmi, read_data_mining(data)) if s is not None]
    return found


def _embedded_recipe(data: bytes) -> ForeignRecipe | None:
    """A recipe embedded by the studio, A1111, ComfyUI or InvokeAI; a PNG too damaged to read has none (the
    image check that follows reports the damage)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    try:
        return read_png_recipe(data)
    except StudioError:
        return None
