"""The composition root: every service of one open library, built once, each given exactly what it needs.

Services never reach for each other through the `Studio` facade; what one needs of another (the release gate,
the credentials reader) is passed in here. Services whose dependencies are heavy (web3 and the Story SDK for
publishing, the C2PA SDK for credentials, HTTP clients for remote engines) are built on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from studio.core.types import Work
from studio.generate import DiffusersGenerator, Generator
from studio.licensing import LicenseCatalog
from studio.lineage.graph import LineageGraph
from studio.services.collections import CollectionService
from studio.services.engines import EngineRegistry
from studio.services.generation import GenerationService
from studio.services.importing import ImportService
from studio.services.licensing_view import LicenseView
from studio.services.model_terms import ModelTerms
from studio.services.models import ModelRegistry
from studio.services.review import ReviewService
from studio.services.training import TrainingService
from studio.store.library import Library
from studio.story.journal import Journal
from studio.story.networks import DEFAULT_NETWORK

if TYPE_CHECKING:
    from studio.services.credentials import CredentialsService
    from studio.services.publishing import PublishingService

NETWORK_SETTING = "publish.network"


class Services:
    """The services of one library, wired."""

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
        # The engine knows what is on chain: works confirmed on the default network (read from the journal,
        # so answering it never loads the chain client).
        self.licenses = LicenseView(library, catalog, on_chain=self.on_default_network, graph=self.graph)
        self.catalog = self.licenses.catalog
        self.models = ModelRegistry(library, self.catalog, data_dir)
        self.model_terms = ModelTerms(library, self.catalog, self.network_name)
        self.generation = GenerationService(
            library, self.licenses, self.models, generator_factory or self._local_generator, self.model_terms
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
        self.importing = ImportService(library, self.licenses, lambda: self.credentials)
        self.collections = CollectionService(library.db, library.works, library.members, self.catalog,
                                             library.edges)
        self.training = TrainingService(library, self.licenses, self.models, self.collections, self.graph, data_dir)
        self._credentials: CredentialsService | None = None
        self._publishing: PublishingService | None = None
        self._engines: EngineRegistry | None = None

    @property
    def credentials(self) -> CredentialsService:
        """Content Credentials on import and export (the C2PA SDK loads only then)."""
        if self._credentials is None:
            from studio.services.credentials import CredentialsService

            self._credentials = CredentialsService(
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
        return self._credentials

    @property
    def publishing(self) -> PublishingService:
        """Story publishing (web3 and the Story SDK load only then); the review service is its release gate."""
        if self._publishing is None:
            from studio.services.publishing import PublishingService

            self._publishing = PublishingService.build(
                self.library, self.catalog, self.journal, self.graph, release_gate=self.review
            )
        return self._publishing

    @property
    def engines(self) -> EngineRegistry:
        """ComfyUI servers, their tokens (in the keyring) and their model links."""
        if self._engines is None:
            self._engines = EngineRegistry(self.library, self.models)
        return self._engines

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
        if self._publishing is not None:
            self._publishing.close()
