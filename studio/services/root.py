"""The composition root: every service of one open library, built once here and nowhere else, each given the
record classes and collaborators it uses (never the whole `Library`).

Services never reach for each other through the `Studio` facade; what one needs of another (the release gate,
the credentials reader, the license view of one network) is passed in here, as a factory where it is made per
call. Services whose dependencies are heavy are built on first use: the publishing use cases (web3 and the Story
SDK load only then, `studio.story.chain` being imported by their modules), Content Credentials (the C2PA SDK)
and remote engines (HTTP clients).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Set
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from studio.core.types import Work
from studio.generate import DiffusersGenerator, Generator
from studio.licensing import LicenseCatalog
from studio.lineage.graph import LineageGraph
from studio.services.collections import CollectionService
from studio.services.engines import EngineRegistry
from studio.services.generation import GenerationService
from studio.services.importing import ImageStore, ImportService
from studio.services.licensing_view import LicenseView
from studio.services.model_terms import ModelTerms
from studio.services.models import ModelRegistry
from studio.services.new_work_defaults import NewWorkDefaultsStore
from studio.services.review import ReviewService
from studio.services.training import TrainingService
from studio.store.library import Library
from studio.store.training_jobs import TrainingJobRecords
from studio.story.journal import Journal
from studio.story.networks import DEFAULT_NETWORK

if TYPE_CHECKING:
    from studio.services.credentials import CredentialsService
    from studio.services.publishing.import_ip import IpImporter
    from studio.services.publishing.planning import PublishPlanner
    from studio.services.publishing.revenue import RevenueService
    from studio.services.publishing.running import PublishRunner
    from studio.services.publishing.setup import PublishSetup
    from studio.services.publishing.training_earnings import TrainingEarningsReader

NETWORK_SETTING = "publish.network"
WALLET_ENV = "STUDIO_WALLET"


class Services:
    """The services of one library, wired. Only the root holds the `Library`; it hands out its records."""

    def __init__(
        self,
        library: Library,
        catalog: LicenseCatalog | None = None,
        *,
        data_dir: Path,
        generator_factory: Callable[[], Generator] | None = None,
    ) -> None:
        self.library = library
        self.data_dir = data_dir
        self.graph = LineageGraph(library.edges)
        self.publications = library.publications
        self.journal = Journal(library.publications)
        self.images = ImageStore(works=library.works, graph=self.graph, db=library.db,
                                 staged_file=library.staged_file)
        # The engine knows what is on chain: works confirmed on the default network (read from the journal,
        # so answering it never loads the chain client).
        self.licenses = self._license_view(catalog, self.on_default_network)
        self.catalog = self.licenses.catalog
        self.models = ModelRegistry(works=library.works, models=library.models, members=library.members,
                                    db=library.db, graph=self.graph, catalog=self.catalog, data_dir=data_dir)
        self.model_terms = ModelTerms(library.works, self.journal, self.catalog, self.network_name)
        self.generation = GenerationService(
            works=library.works,
            settings=library.settings,
            images=self.images,
            path_of=library.path_of,
            defaults=NewWorkDefaultsStore(library.settings, self.catalog),
            licenses=self.licenses,
            models=self.models,
            generator_factory=generator_factory or self._local_generator,
            model_terms=self.model_terms,
        )
        self.review = ReviewService(
            works=library.works,
            reviews=library.reviews,
            settings=library.settings,
            publications=self.publications,
            credentials=library.credentials,
            graph=self.graph,
            licenses=self.licenses,
            thumbnail=self.thumbnail,
            library_root=library.root,
        )
        self.importing = ImportService(
            works=library.works,
            credential_records=library.credentials,
            training=library.training,
            images=self.images,
            licenses=self.licenses,
            credentials=lambda: self.credentials,
        )
        self.collections = CollectionService(library.db, library.works, library.members, self.catalog,
                                             library.edges)
        self.training = TrainingService(
            works=library.works,
            members=library.members,
            model_records=library.models,
            jobs=TrainingJobRecords(library.settings),
            db=library.db,
            library_root=library.root,
            licenses=self.licenses,
            models=self.models,
            collections=self.collections,
            graph=self.graph,
            data_dir=data_dir,
        )

    # -- license views ----------------------------------------------------------------------------------

    def _license_view(self, catalog: LicenseCatalog | None,
                      on_chain: Callable[[Iterable[str]], set[str]] | None) -> LicenseView:
        library = self.library
        return LicenseView(works=library.works, training=library.training, confirmations=library.confirmations,
                           members=library.members, graph=self.graph, catalog=catalog, on_chain=on_chain)

    def licenses_on(self, network: str | None = None, *, planned: Set[str] = frozenset()) -> LicenseView:
        """The license view of one network (a `LicenseViewFactory`): works confirmed there, and those in
        `planned` (read at each question, so a plan may add to it as it goes), count as on chain. With no
        network, no work does."""
        if network is None:
            return self._license_view(self.catalog, None)
        return self._license_view(self.catalog, lambda ids: self.journal.on_chain_among(ids, network) | planned)

    # -- services built on first use ------------------------------------------------------------------

    @cached_property
    def credentials(self) -> CredentialsService:
        """Content Credentials on import and export (the C2PA SDK loads only then)."""
        from studio.services.credentials import CredentialsService

        return CredentialsService(
            works=self.library.works,
            credentials=self.library.credentials,
            publications=self.publications,
            graph=self.graph,
            catalog=self.catalog,
            gate=self.review,
            file_of=self.file_of,
            data_dir=self.data_dir,
            library_root=self.library.root,
            readonly=self.library.readonly,
        )

    @cached_property
    def engines(self) -> EngineRegistry:
        """ComfyUI servers, their tokens (in the keyring) and their model links."""
        library = self.library
        return EngineRegistry(works=library.works, model_records=library.models, settings=library.settings,
                              db=library.db, models=self.models)

    # The publishing use cases: their modules import the Story chain adapter, so web3 and the Story SDK load
    # when one of them is first used.

    @cached_property
    def publish_setup(self) -> PublishSetup:
        """The library's Story network, chain clients, metadata storage and wallet (STUDIO_WALLET, else default)."""
        from studio.services.publishing.setup import PublishSetup

        return PublishSetup(self.library.root, self.library.settings, wallet_name=os.environ.get(WALLET_ENV))

    @cached_property
    def publish_planner(self) -> PublishPlanner:
        """Plans a publication; the review service is its release gate."""
        from studio.services.publishing.planning import PublishPlanner

        library = self.library
        return PublishPlanner(
            works=library.works, members=library.members, group_members=library.group_members,
            spg_collections=library.spg_collections, library_root=library.root, catalog=self.catalog,
            journal=self.journal, setup=self.publish_setup, graph=self.graph, licenses_on=self.licenses_on,
            release_gate=self.review,
        )

    @cached_property
    def publish_runner(self) -> PublishRunner:
        """Sends a plan, settles what was left in flight."""
        from studio.services.publishing.running import PublishRunner

        library = self.library
        return PublishRunner(self.publish_setup, self.journal, library.works, library.spg_collections,
                             library.group_members)

    @cached_property
    def ip_importer(self) -> IpImporter:
        """Imports IP assets from Story (or links them to the library's works carrying the same file)."""
        from studio.services.publishing.import_ip import IpImporter

        return IpImporter(works=self.library.works, images=self.images, graph=self.graph, catalog=self.catalog,
                          licenses_on=self.licenses_on, journal=self.journal, setup=self.publish_setup)

    @cached_property
    def revenue(self) -> RevenueService:
        """Tips, claimable revenue and claims of published works."""
        from studio.services.publishing.revenue import RevenueService

        return RevenueService(self.publish_setup, self.journal, self.library.works, self.graph)

    @cached_property
    def training_earnings(self) -> TrainingEarningsReader:
        """What the creators of a model's training data have earned on Story."""
        from studio.services.publishing.training_earnings import TrainingEarningsReader

        return TrainingEarningsReader(self.publish_setup, self.journal, self.library.group_members,
                                      self.library.works)

    # -- small questions the services share -----------------------------------------------------------

    def network_name(self) -> str:
        """The library's current Story network (its publishing setting, else the default)."""
        return self.library.settings.get(NETWORK_SETTING) or DEFAULT_NETWORK

    def on_default_network(self, work_ids: Iterable[str]) -> set[str]:
        return self.journal.on_chain_among(work_ids, self.network_name())

    def file_of(self, work: Work) -> Path | None:
        return self.library.path_of(work.file_path) if work.file_path else None

    def thumbnail(self, work: Work, size: int = 256) -> Path | None:
        source = self.file_of(work)
        return self.library.thumbnails.get(source, work.sha256, size) if source else None

    def _local_generator(self) -> Generator:
        return DiffusersGenerator(self.data_dir, device=self.generation.device())

    def close(self) -> None:
        self.generation.close()
        if "publish_setup" in self.__dict__:  # built: it holds chain clients (and maybe the app's devnet)
            self.publish_setup.close()
