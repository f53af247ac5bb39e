"""`Studio`: the facade over one open library that both the CLI and the window drive."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from studio.core.types import Edge, LineageNode, Origin, Relation, Work, WorkKind
from studio.errors import InvalidInput, StudioError
from studio.generate import Generator, Progress
from studio.licensing import CODES, DerivativePlan, LicenseCatalog, Verdict, WorkTerms
from studio.lineage.graph import LineageGraph, ParentLink
from studio.metadata import ForeignRecipe, read_png_recipe
from studio.publish.journal import Journal
from studio.publish.networks import DEFAULT_NETWORK
from studio.royalty import RoyaltySplit
from studio.services import review
from studio.services.generation import CreateRequest, GenerationService
from studio.services.importing import ImportOutcome, ImportRequest, default_title, read_file, store_image
from studio.services.licensing_view import LicenseView, raise_request_errors
from studio.services.models import ModelRegistry
from studio.store.library import Library, data_dir
from studio.store.works import NewWork

if TYPE_CHECKING:
    from studio.services.credentials import ExportResult, StoredCredentials
    from studio.services.engines import EngineRegistry


@dataclass(frozen=True)
class Lineage:
    work: Work
    ancestors: tuple[LineageNode, ...]
    descendants: tuple[LineageNode, ...]
    edges: tuple[Edge, ...]
    works: dict[str, Work]


if TYPE_CHECKING:
    from studio.services.publishing import PublishingService


class Studio:
    def __init__(
        self,
        library: Library,
        catalog: LicenseCatalog | None = None,
        *,
        data_folder: Path | None = None,
        generator_factory: Callable[[], Generator] | None = None,
    ) -> None:
        self.library = library
        self.data_dir = data_folder or data_dir()
        self.graph = LineageGraph(library.db)
        self._catalog_arg = catalog
        self._publishing: PublishingService | None = None
        self._engines: EngineRegistry | None = None
        self._journal = Journal(library.db)
        # The engine knows what is on chain: works confirmed on the default network (read from the journal,
        # so answering it never loads the chain client).
        self.licenses = LicenseView(library, catalog, on_chain=self._on_default_network)
        self.catalog = self.licenses.catalog
        self.models = ModelRegistry(library, self.catalog, self.data_dir)
        self.generation = GenerationService(
            library, self.licenses, self.models, generator_factory or self._local_generator
        )

    @property
    def publishing(self) -> PublishingService:
        """The Story publishing service, created on first use (web3 and the Story SDK load only then)."""
        if self._publishing is None:
            from studio.services.publishing import PublishingService

            self._publishing = PublishingService.build(
                self.library,
                self.catalog,
                self.library.settings,
                release_gate=lambda work_id: review.ensure_release_allowed(self, work_id),
            )
        return self._publishing

    @property
    def engines(self) -> EngineRegistry:
        """ComfyUI servers, their tokens (in the keyring) and their model links."""
        if self._engines is None:
            from studio.services.engines import EngineRegistry

            self._engines = EngineRegistry(self.library, self.models)
        return self._engines

    def use_engine(self, spec: str | None) -> None:
        """`local` (or None): this machine; `comfyui`: every ComfyUI server as one pool; `comfyui:NAME`: one."""
        if spec in (None, "", "local"):
            return
        kind, _, name = spec.partition(":")
        if kind != "comfyui":
            raise InvalidInput(f"unknown engine {spec!r}", hint="use local, comfyui or comfyui:NAME")
        self.generation.use(self.engines.generator(name or None))

    def _on_default_network(self, work_ids: Iterable[str]) -> set[str]:
        row = self.library.db.one("SELECT value FROM settings WHERE key = 'publish.network'")
        return self._journal.on_chain_among(work_ids, str(row["value"]) if row else DEFAULT_NETWORK)

    def _local_generator(self) -> Generator:
        from studio.generate import DiffusersGenerator

        return DiffusersGenerator(self.data_dir, device=self.generation.device())

    @classmethod
    def open(cls, library_dir: Path | str | None = None) -> Studio:
        studio = cls(Library.open(library_dir))
        # Publications a crash left between send and receipt are settled from their receipts.
        if studio._journal.unsettled_networks():
            studio.publishing.reconcile_quietly()
        return studio

    def close(self) -> None:
        self.generation.close()
        if self._publishing is not None:
            self._publishing.close()
        self.library.close()

    # -- works -------------------------------------------------------------------------------------------
    def work(self, ref: str) -> Work:
        return self.library.works.resolve(ref)

    def works(self, **filters) -> list[Work]:
        return self.library.works.list(**filters)

    def parents(self, ref: str) -> list[Edge]:
        return self.graph.parents(self.work(ref).id)

    def children(self, ref: str) -> list[Edge]:
        return self.graph.children(self.work(ref).id)

    def file_of(self, work: Work) -> Path | None:
        return self.library.path_of(work.file_path) if work.file_path else None

    def thumbnail(self, work: Work, size: int = 256) -> Path | None:
        source = self.file_of(work)
        return self.library.thumbnails.get(source, work.sha256, size) if source else None

    def trash(self, refs: Iterable[str]) -> list[str]:
        """Move works to the trash in one transaction; returns the ids moved (not those already there), so an
        undo restores exactly these. An unknown id moves nothing."""
        works = self.library.works
        moved: list[str] = []
        with self.library.db.atomic():
            for work in [self.work(ref) for ref in refs]:
                if work.deleted_at is None and work.id not in moved:
                    works.trash(work.id)
                    moved.append(work.id)
        return moved

    def restore(self, refs: Iterable[str]) -> list[str]:
        """Bring works back from the trash in one transaction; returns the ids restored."""
        works = self.library.works
        restored: list[str] = []
        with self.library.db.atomic():
            for work in [self.work(ref) for ref in refs]:
                if work.deleted_at is not None and work.id not in restored:
                    works.restore(work.id)
                    restored.append(work.id)
        return restored

    # -- import ------------------------------------------------------------------------------------------
    def import_image(self, request: ImportRequest) -> ImportOutcome:
        """Import an image; with parents it is a derivative recorded from outside the studio.

        A derivative inherits its parents' license where their terms say so (reciprocal PIL, share-alike),
        and a rev share given for it is Story's raise-only override. Terms that cannot be asked for are an
        input error and nothing is written; a derivative that breaks its parents' terms is still recorded,
        flagged with the reasons, and can never be published. Content Credentials in the file are verified
        and stored; ingredients the library knows become parents too (see `studio.services.credentials`).
        """
        from studio.services.credentials import read_on_import  # loads the C2PA SDK: only when importing

        data = read_file(request.path)
        found = _embedded_recipe(data)
        credentials = read_on_import(self.library, data, request.path.name, self.data_dir)
        parents = [self.work(ref) for ref in request.parents]
        links = [ParentLink(p.id, _relation_for(p, request.relation)) for p in parents]
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
                self.catalog.get(request.license_id or "all-rights-reserved"),
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
            **_terms_columns(terms),
        )

        def audit(work_id: str) -> list[dict]:
            credentials.record(self.library.db, work_id)  # inside the import's transaction
            flags = [reason.to_dict() for reason in self.licenses.audit(work_id)] if links else []
            return flags + list(credentials.flags)

        outcome = store_image(self.library, data, name=request.path.name, new_work=new, parents=links, flags_for=audit)
        return replace(outcome, recipe_source=found.source if found else None,
                       recipe_notes=found.notes if found else ())

    # -- lineage -----------------------------------------------------------------------------------------
    def lineage(self, ref: str) -> Lineage:
        work = self.work(ref)
        up = self.graph.ancestor_edges(work.id)
        down = self.graph.descendant_edges(work.id)
        ancestors = tuple(self.graph.ancestors(work.id))
        descendants = tuple(self.graph.descendants(work.id))
        ids = {work.id, *(n.id for n in ancestors), *(n.id for n in descendants)}
        return Lineage(
            work=work,
            ancestors=ancestors,
            descendants=descendants,
            edges=tuple(dict.fromkeys([*up, *down])),
            works=self.library.works.get_many(ids),
        )

    def link(self, child_ref: str, parent_refs: list[str], relation: Relation) -> list[Edge]:
        """Record edges for an existing work; it is re-audited against its parents' terms in the same step."""
        child = self.work(child_ref)
        parents = [self.work(ref) for ref in parent_refs]
        with self.library.db.atomic():
            edges = self.graph.add_parents(child.id, [ParentLink(p.id, _relation_for(p, relation)) for p in parents])
            flags = [reason.to_dict() for reason in self.licenses.audit(child.id)]
            # The audit owns the license flags only; others (e.g. tampered Content Credentials) stay.
            kept = [flag for flag in child.flags if flag.get("code") not in CODES]
            self.library.works.set_flags(child.id, kept + flags)
        return edges

    # -- licenses and royalties ----------------------------------------------------------------------------
    def license_check(self, ref: str) -> Verdict:
        return self.licenses.check(self.work(ref))

    def plan_derivative(
        self,
        parent_refs: list[str],
        relation: Relation = Relation.remix_of,
        *,
        commercial: bool = False,
        license_id: str | None = None,
        rev_share: int | None = None,
    ) -> DerivativePlan:
        parents = [self.work(ref) for ref in parent_refs]
        return self.licenses.plan(
            [(p.id, _relation_for(p, relation)) for p in parents],
            commercial=commercial,
            license_id=license_id,
            rev_share=rev_share,
        )

    def royalty(self, ref: str, policy: str | None = None) -> RoyaltySplit:
        return self.licenses.royalty(self.work(ref), policy)

    # -- generation ----------------------------------------------------------------------------------------
    def generate(
        self,
        request: CreateRequest,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Work:
        """Generate or remix; the license engine is asked first, and the result is recorded with its lineage."""
        return self.generation.create(request, on_progress=on_progress, cancel=cancel)

    # -- review and Content Credentials ----------------------------------------------------------------------
    def report(self, ref: str, fmt: review.Format = "html") -> review.RenderedReport:
        return review.render_report(self, ref, fmt)

    def approval_status(self, ref: str) -> review.ApprovalStatus:
        return review.approval_status(self, ref)

    def ensure_release_allowed(self, ref: str) -> review.ApprovalStatus:
        """Raise ReleaseNotApproved when the library requires review and the work is not approved."""
        return review.ensure_release_allowed(self, ref)

    def credentials(self, ref: str) -> StoredCredentials | None:
        from studio.services.credentials import stored_credentials

        return stored_credentials(self, ref)

    def export(self, ref: str, target: Path, *, signer: str | None = None, overwrite: bool = False) -> ExportResult:
        """Write the work's image signed with Content Credentials; refused when review is required and missing,
        inside any library folder, and over an existing file unless `overwrite`."""
        from studio.services.credentials import export_work

        return export_work(self, ref, target, signer=signer, overwrite=overwrite)


def _embedded_recipe(data: bytes) -> ForeignRecipe | None:
    """A recipe embedded by the studio, A1111, ComfyUI or InvokeAI; a PNG too damaged to read has none (the
    image check that follows reports the damage)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    try:
        return read_png_recipe(data)
    except StudioError:
        return None


def _terms_columns(terms: WorkTerms) -> dict:
    return {
        "license_id": terms.license_id,
        "rev_share": terms.rev_share,
        "minting_fee": terms.minting_fee,
        "royalty_policy": terms.royalty_policy,
        "rev_share_override": terms.rev_share_override,
    }


def _relation_for(parent: Work, requested: Relation) -> Relation:
    """Models and LoRAs are always linked by what they are; images by what the user said."""
    if parent.kind is WorkKind.model:
        return Relation.generated_with
    if parent.kind is WorkKind.lora:
        return Relation.styled_with
    return requested
