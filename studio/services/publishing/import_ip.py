"""Importing IP assets from Story: the asset (and, first, its parents not yet in the library) as works whose
terms mirror the chain's, marked on chain in the journal."""

from __future__ import annotations

from dataclasses import replace

from studio.core.types import Origin, Relation, Work, WorkKind
from studio.licensing import LicenseCatalog
from studio.lineage.graph import ParentLink
from studio.publish.chain import ChainClient
from studio.publish.errors import ImportFailed
from studio.publish.import_ip import ChainIp, fetch_ip
from studio.publish.journal import Journal
from studio.publish.networks import Network
from studio.publish.storage import Storage
from studio.publish.terms import matching_terms
from studio.services.importing import store_image
from studio.services.licensing_view import LicenseView
from studio.services.publishing.setup import PublishSetup
from studio.store.library import Library
from studio.store.works import NewWork

MAX_DEPTH = 64


class IpImporter:
    def __init__(self, library: Library, catalog: LicenseCatalog, journal: Journal, setup: PublishSetup) -> None:
        self.library = library
        self.catalog = catalog
        self.journal = journal
        self.setup = setup

    def import_ip(self, ip_id: str, network_name: str | None = None, rpc_url: str | None = None) -> Work:
        """The IP asset (and, first, its parents not yet in the library) as library works whose terms mirror
        the chain's, marked on chain."""
        net = self.setup.network(network_name, rpc_url)
        chain = self.setup.client(net)
        return self._import(chain, self.setup.storage(net), ip_id.strip(), depth=0)

    def _import(self, chain: ChainClient, storage: Storage, ip_id: str, depth: int) -> Work:
        known = self.journal.by_ip(chain.network.name, ip_id)
        if known is not None:
            return self.library.works.get(known.work_id)
        if depth > MAX_DEPTH:
            raise ImportFailed(f"the IP's ancestry is deeper than {MAX_DEPTH} generations",
                               hint="import an ancestor first")
        found = fetch_ip(chain, storage, ip_id)
        parents = [(self._import(chain, storage, p, depth + 1), rel) for p, rel in found.parents]
        return self._store(chain.network, found, parents)

    def _store(self, net: Network, found: ChainIp, parents: list[tuple[Work, Relation]]) -> Work:
        terms = matching_terms(found.terms, self.catalog)
        if found.rev_share_override:
            terms = replace(terms, rev_share_override=found.rev_share_override)
        new = NewWork(
            kind=WorkKind.image, sha256="", title=found.title[:200], creator=found.creator, origin=Origin.imported,
            description=found.description, terms=terms.stored,
        )
        links = [ParentLink(w.id, rel) for w, rel in parents]
        view = LicenseView(self.library, self.catalog)

        def audit(work_id: str) -> list[dict]:
            return [r.to_dict() for r in view.audit(work_id)] if links else []

        with self.journal.atomic():
            outcome = store_image(self.library, found.image, name=found.image_name, new_work=new, parents=links,
                                  flags_for=audit)
            self.journal.record_imported(
                outcome.work.id, net.name, net.chain_id, ip_id=found.ip_id, token_id=found.token_id,
                nft_contract=found.nft_contract, license_terms_ids=found.license_terms_ids,
                metadata_uri=found.metadata_uri, metadata_hash=found.metadata_hash, readback=found.summary(),
            )
        return outcome.work
