"""Importing IP assets from Story: the asset (and, first, its parents not yet in the library) as works whose
terms mirror the chain's, marked on chain in the journal.

An IP whose metadata claims, as its media hash, the sha256 of a work already in the library is linked to that
work instead (the OpenMoji works, which have no file, included): its publication is recorded for the existing
work, whose own license and lineage stay as the library has them. A work is linked to one IP per network."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from studio.core.types import Origin, Relation, Work, WorkKind
from studio.licensing import LicenseCatalog
from studio.lineage.graph import LineageGraph, ParentLink
from studio.services.importing import ImageStore
from studio.services.licensing_view import LicenseViewFactory
from studio.services.publishing.setup import PublishSetup
from studio.store.works import NewWork, WorkRepository
from studio.story.errors import AlreadyPublished, ImportFailed, NoWallet
from studio.story.ip_reading import ChainIp, IpMetadata, MediaCheck, check_media, fetch_image, read_ip, read_metadata
from studio.story.journal import Journal
from studio.story.networks import Network
from studio.story.storage import Storage
from studio.story.terms import matching_terms

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

MAX_DEPTH = 64


@dataclass(frozen=True)
class ImportResult:
    """The library's work for an IP; `link` says how its media hash was checked when an existing work was linked
    (None when the work was imported, or the IP was already in the library)."""

    work: Work
    ip_id: str
    link: MediaCheck | None = None

    @property
    def linked(self) -> bool:
        return self.link is not None

    def line(self) -> str:
        """What the CLI says of a link."""
        assert self.link is not None
        said = f"linked IP {self.ip_id} to the library's “{self.work.title}” ({self.work.id})"
        if self.link.verified:
            return f"{said}: its media at {self.link.uri} hashes to the work's sha256"
        return f"{said} on its metadata's media hash alone ({self.link.note})"


class IpImporter:
    def __init__(self, *, works: WorkRepository, images: ImageStore, graph: LineageGraph, catalog: LicenseCatalog,
                 licenses_on: LicenseViewFactory, journal: Journal, setup: PublishSetup) -> None:
        self.works = works
        self.images = images
        self.graph = graph
        self.catalog = catalog
        # Called with no network: imported works are audited as recorded, no network's state in the verdict.
        self.licenses_on = licenses_on
        self.journal = journal
        self.setup = setup

    def import_ip(self, ip_id: str, network_name: str | None = None, rpc_url: str | None = None) -> Work:
        """The IP asset (and, first, its parents not yet in the library) as library works whose terms mirror
        the chain's, marked on chain; an IP carrying a library work's file is linked to that work."""
        return self.import_or_link(ip_id, network_name, rpc_url).work

    def import_or_link(self, ip_id: str, network_name: str | None = None, rpc_url: str | None = None) -> ImportResult:
        net = self.setup.network(network_name, rpc_url)
        chain = self.setup.client(net)
        return self._import(chain, self.setup.storage(net), ip_id.strip(), depth=0)

    def _import(self, chain: ChainClient, storage: Storage, ip_id: str, depth: int) -> ImportResult:
        known = self.journal.by_ip(chain.network.name, ip_id)
        if known is not None:
            return ImportResult(self.works.get(known.work_id), known.ip_id or ip_id)
        if depth > MAX_DEPTH:
            raise ImportFailed(f"the IP's ancestry is deeper than {MAX_DEPTH} generations",
                               hint="import an ancestor first")
        meta = read_metadata(chain, storage, ip_id)
        sha = meta.media_sha256()
        existing = self.works.by_sha256(sha) if sha else None
        if existing is not None:
            return self._link(chain, storage, meta, existing, depth)
        image, name = fetch_image(storage, meta)
        found = read_ip(chain, meta, image, name)
        parents = [(self._import(chain, storage, p, depth + 1).work, rel) for p, rel in found.parents]
        return ImportResult(self._store(chain.network, found, parents), found.ip_id)

    # --- linking to a work the library holds --------------------------------------------------------

    def _link(self, chain: ChainClient, storage: Storage, meta: IpMetadata, work: Work, depth: int) -> ImportResult:
        net = chain.network
        self._refuse_published(net, meta.ip_id, work)
        if work.kind is WorkKind.collection:
            raise ImportFailed(
                f"IP {meta.ip_id} claims the hash of the library's training set “{work.title}” ({work.id})",
                hint="a training set goes on Story as a group with `studio publish`, not by import-ip")
        found = read_ip(chain, meta)
        self._refuse_foreign_owner(found, work)
        check = check_media(storage, meta)
        parents = [(self._import(chain, storage, p, depth + 1).work, rel) for p, rel in found.parents]
        with self.journal.atomic():
            self._refuse_published(net, meta.ip_id, work)  # settled while the parents were read
            draft = self.journal.live(work.id, net.name)
            if draft is not None:  # never sent: the chain already holds the work, so the draft has no use
                self.journal.fail(draft.id, f"linked to IP {found.ip_id}, which carries the same file")
            self._adopt_parents(work, parents)
            self.journal.record_imported(
                work.id, net.name, net.chain_id, ip_id=found.ip_id, token_id=found.token_id,
                nft_contract=found.nft_contract, license_terms_ids=found.license_terms_ids,
                metadata_uri=found.metadata_uri, metadata_hash=found.metadata_hash,
                readback={**found.summary(), "linked": check.to_dict(), "license_id": self._license_id(found)},
            )
        return ImportResult(self.works.get(work.id), found.ip_id, check)

    def _refuse_published(self, net: Network, ip_id: str, work: Work) -> None:
        live = self.journal.live(work.id, net.name)
        if live is None or live.state == "draft":
            return
        if live.state == "sent":
            raise AlreadyPublished(
                f"the library's “{work.title}” ({work.id}), whose file IP {ip_id} carries, was sent to {net.name} "
                f"(transaction {live.tx_hash}) and waits for its receipt",
                hint="run `studio publish status` to settle it")
        raise AlreadyPublished(
            f"IP {ip_id} carries the file of the library's “{work.title}” ({work.id}), which is already on "
            f"{net.name} as IP {live.ip_id}",
            hint="a work is one IP per network; remix or pay that IP instead")

    def _refuse_foreign_owner(self, found: ChainIp, work: Work) -> None:
        """A work made in this library is linked only to an IP its own wallet owns: anyone may register a copy
        of a file, and linking it would hand the work's place on Story to them."""
        if work.origin is not Origin.generated:
            return
        try:
            wallet = self.setup.wallet().address
        except NoWallet:
            wallet = None
        if wallet is None or wallet.lower() != found.owner.lower():
            raise AlreadyPublished(
                f"IP {found.ip_id} carries the file of “{work.title}” ({work.id}), which was made in this library, "
                f"but it belongs to {found.owner}, not to this library's wallet",
                hint=f"publish your work yourself with `studio publish {work.id}`")

    def _adopt_parents(self, work: Work, parents: list[tuple[Work, Relation]]) -> None:
        """The chain's parents become the work's when the library gives it none; a lineage the library already
        records is kept as it is."""
        if not parents or self.graph.parents(work.id):
            return
        self.graph.add_parents(work.id, [ParentLink(w.id, rel) for w, rel in parents])
        flags = [r.to_dict() for r in self.licenses_on().audit(work.id)]
        if flags:
            self.works.set_flags(work.id, flags)

    def _license_id(self, found: ChainIp) -> str | None:
        """The catalogue license of the IP's Story terms, when one matches (the work keeps its own license)."""
        try:
            return matching_terms(found.terms, self.catalog).license.id
        except ImportFailed:
            return None

    # --- importing a new work -------------------------------------------------------------------------

    def _store(self, net: Network, found: ChainIp, parents: list[tuple[Work, Relation]]) -> Work:
        terms = matching_terms(found.terms, self.catalog)
        if found.rev_share_override:
            terms = replace(terms, rev_share_override=found.rev_share_override)
        new = NewWork(
            kind=WorkKind.image, sha256="", title=found.title[:200], creator=found.creator, origin=Origin.imported,
            description=found.description, terms=terms.stored,
        )
        links = [ParentLink(w.id, rel) for w, rel in parents]
        view = self.licenses_on()

        def audit(work_id: str) -> list[dict]:
            return [r.to_dict() for r in view.audit(work_id)] if links else []

        with self.journal.atomic():
            outcome = self.images.store(found.image, name=found.image_name, new_work=new, parents=links,
                                        flags_for=audit)
            self.journal.record_imported(
                outcome.work.id, net.name, net.chain_id, ip_id=found.ip_id, token_id=found.token_id,
                nft_contract=found.nft_contract, license_terms_ids=found.license_terms_ids,
                metadata_uri=found.metadata_uri, metadata_hash=found.metadata_hash, readback=found.summary(),
            )
        return outcome.work
