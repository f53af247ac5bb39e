"""`Studio`: the facade over one open library that both the CLI and the window drive.

Each use-case service is an attribute, built by the composition root (`services.root`): `studio.generation`,
`studio.importing`, `studio.review`, `studio.licenses`, `studio.models`, `studio.training`, `studio.collections`,
`studio.journal`, and on first use `studio.engines`, `studio.credential_service` and the publishing use cases
(`studio.publish_setup`, `studio.publish_planner`, `studio.publish_runner`, `studio.ip_importer`,
`studio.revenue`, `studio.training_earnings`). Studio's own methods answer questions about works by reference
(an id or a prefix) that take more than one service, such as `lineage`, `link` or `publish`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studio.core.types import Edge, LineageNode, Relation, Work
from studio.errors import InvalidInput
from studio.generate import Generator
from studio.licensing import CODES, DerivativePlan, LicenseCatalog, TrainingVerdict, Verdict
from studio.lineage.graph import ParentLink
from studio.royalty import RoyaltySplit
from studio.services.importing import relation_for
from studio.services.root import Services
from studio.store.library import Library, data_dir
from studio.story.errors import PublishRefused

if TYPE_CHECKING:
    from studio.secrets import Secret
    from studio.services.credentials import CredentialsService
    from studio.services.engines import EngineRegistry
    from studio.services.publishing.import_ip import IpImporter
    from studio.services.publishing.planning import PublishOptions, PublishPlan, PublishPlanner
    from studio.services.publishing.revenue import RevenueService
    from studio.services.publishing.running import PublishRunner
    from studio.services.publishing.setup import PublishSetup
    from studio.services.publishing.training_earnings import TrainingEarningsReader
    from studio.story.publisher import StepResult


@dataclass(frozen=True)
class Lineage:
    work: Work
    ancestors: tuple[LineageNode, ...]
    descendants: tuple[LineageNode, ...]
    edges: tuple[Edge, ...]
    works: dict[str, Work]


class Studio:
    """The front door the CLI and the window use: the services of one library as attributes, and the questions
    that take several of them."""

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
        self.services = Services(library, catalog, data_dir=self.data_dir, generator_factory=generator_factory)
        self.graph = self.services.graph
        self.journal = self.services.journal
        self.images = self.services.images
        self.licenses = self.services.licenses
        self.catalog = self.services.catalog
        self.models = self.services.models
        self.generation = self.services.generation
        self.review = self.services.review
        self.importing = self.services.importing
        self.collections = self.services.collections
        self.training = self.services.training

    # The services built on first use (their modules load web3 and the Story SDK, the C2PA SDK, HTTP clients).

    @property
    def publish_setup(self) -> PublishSetup:
        """Story networks, chain clients, metadata storage, the wallet and the publishing settings."""
        return self.services.publish_setup

    @property
    def publish_planner(self) -> PublishPlanner:
        return self.services.publish_planner

    @property
    def publish_runner(self) -> PublishRunner:
        return self.services.publish_runner

    @property
    def ip_importer(self) -> IpImporter:
        return self.services.ip_importer

    @property
    def revenue(self) -> RevenueService:
        return self.services.revenue

    @property
    def training_earnings(self) -> TrainingEarningsReader:
        return self.services.training_earnings

    @property
    def engines(self) -> EngineRegistry:
        """ComfyUI servers, their tokens (in the keyring) and their model links."""
        return self.services.engines

    @property
    def credential_service(self) -> CredentialsService:
        """Content Credentials on import and export, created on first use (the C2PA SDK loads only then)."""
        return self.services.credentials

    def use_engine(self, spec: str | None) -> None:
        """`local` (or None): this machine; `comfyui`: every ComfyUI server as one pool; `comfyui:NAME`: one."""
        if spec in (None, "", "local"):
            return
        kind, _, name = spec.partition(":")
        if kind != "comfyui":
            raise InvalidInput(f"unknown engine {spec!r}", hint="use local, comfyui or comfyui:NAME")
        self.generation.use(self.engines.generator(name or None))

    @classmethod
    def open(cls, library_dir: Path | str | None = None, *, password: Secret | None = None) -> Studio:
        """`password`: a team library member's, typed in the window (else the OS keyring's)."""
        studio = cls(Library.open(library_dir, password=password))
        # Publications a crash left between send and receipt are settled from their receipts.
        if not studio.library.readonly and studio.services.journal.unsettled_networks():
            studio.publish_runner.reconcile_quietly()
        return studio

    def close(self) -> None:
        self.services.close()
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
        return self.services.file_of(work)

    def thumbnail(self, work: Work, size: int = 256) -> Path | None:
        return self.services.thumbnail(work, size)

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
            edges = self.graph.add_parents(child.id, [ParentLink(p.id, relation_for(p, relation)) for p in parents])
            flags = [reason.to_dict() for reason in self.licenses.audit(child.id)]
            # The audit owns the license flags only; others (e.g. tampered Content Credentials) stay.
            kept = [flag for flag in child.flags if flag.get("code") not in CODES]
            self.library.works.set_flags(child.id, kept + flags)
        return edges

    # -- licenses and royalties ----------------------------------------------------------------------------
    def license_check(self, ref: str) -> Verdict:
        return self.licenses.check(self.work(ref))

    def may_train(self, ref: str) -> TrainingVerdict:
        return self.licenses.may_train(self.work(ref).id)

    def confirm_condition(self, ref: str, condition: str, *, withdraw: bool = False) -> Verdict:
        """Record the creator's confirmation of a license condition for a work ("revenue-under-1m"), or withdraw it."""
        return self.licenses.confirm_condition(self.work(ref), condition.strip().lower(), withdraw=withdraw)

    def set_training_choice(self, ref: str, choice: str | None) -> TrainingVerdict:
        """The owner's "do not train" (deny) or "allow" choice for a work; None clears it."""
        return self.licenses.set_training_choice(self.work(ref), choice)

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
            [(p.id, relation_for(p, relation)) for p in parents],
            commercial=commercial,
            license_id=license_id,
            rev_share=rev_share,
        )

    def royalty(self, ref: str, policy: str | None = None) -> RoyaltySplit:
        return self.licenses.royalty(self.work(ref), policy)

    # -- publishing -----------------------------------------------------------------------------------------
    def publish(self, ref: str, options: PublishOptions | None = None,
                confirm: Callable[[PublishPlan], bool] = lambda plan: True) -> list[StepResult]:
        """Plan, show the plan to `confirm` (refused plans never get there), then send it."""
        plan = self.publish_planner.plan(ref, options)
        if not plan.allowed:
            raise PublishRefused(plan.refusal_text(), reasons=list(plan.refusals),
                                 hint="nothing was sent; `studio license check` explains each reason")
        if not confirm(plan):
            return []
        return self.publish_runner.execute(plan)
