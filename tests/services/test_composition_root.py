"""The composition root wires each record once: publishing reuses the root's journal and lineage graph over the
library's own records, and every record class is an attribute of the library."""

from __future__ import annotations

from studio.services import Studio
from studio.store.publications import PublicationRecords
from studio.store.spg_collections import SpgCollectionRecords


def test_publishing_shares_the_roots_journal_graph_and_records(tmp_path) -> None:
    studio = Studio.open(tmp_path / "lib")
    try:
        services, library = studio.services, studio.library
        assert isinstance(library.publications, PublicationRecords)
        assert isinstance(library.spg_collections, SpgCollectionRecords)
        assert services.journal.records is library.publications is services.publications
        publishing = studio.publishing
        assert publishing.journal is services.journal
        assert publishing.planner.journal is services.journal and publishing.runner.journal is services.journal
        assert publishing.planner.graph is services.graph is publishing.revenue_service.graph
        assert publishing.planner.spg_collections is library.spg_collections
    finally:
        studio.close()
