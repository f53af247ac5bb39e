"""Revenue of published works: tips paid to a work, what it and its ancestors can claim, and claims."""

from __future__ import annotations

from typing import Any

from studio.core.types import Work
from studio.lineage.graph import LineageGraph
from studio.publish.chain import ChainClient
from studio.publish.errors import NoWallet
from studio.publish.journal import Journal
from studio.publish.networks import Network
from studio.publish.publisher import SentTx
from studio.publish.revenue import Claimable, claim, claimable, pay
from studio.services.publishing.running import ip_of
from studio.services.publishing.setup import PublishSetup
from studio.store.works import WorkRepository


class RevenueService:
    def __init__(self, setup: PublishSetup, journal: Journal, works: WorkRepository, graph: LineageGraph) -> None:
        self.setup = setup
        self.journal = journal
        self.works = works
        self.graph = graph

    def revenue(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> list[Claimable]:
        """Claimable WIP of the work and of each of its ancestors that is on the network."""
        net = self.setup.network(network_name, rpc_url)
        work = self.works.resolve(ref)
        ip_of(self.journal, work, net)
        chain = self.setup.client(net)
        chain.require_code()
        ids = [work.id, *(n.id for n in self.graph.ancestors(work.id))]
        lines = []
        for work_id in ids:
            pub = self.journal.confirmed(work_id, net.name)
            if pub is not None and pub.ip_id:
                lines.append(claimable(chain, work_id, pub.ip_id))
        return lines

    def pay(self, ref: str, amount_wei: int, network_name: str | None = None,
            rpc_url: str | None = None) -> list[SentTx]:
        net, _work, ip, chain, wallet = self._sending(ref, network_name, rpc_url)
        return pay(chain, self.setup.key(net), wallet, ip, amount_wei)

    def claim(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> dict[str, Any]:
        net, work, ip, chain, wallet = self._sending(ref, network_name, rpc_url)
        if chain.ip_owner(ip).lower() != wallet.lower():
            raise NoWallet(f"“{work.title}” on {net.name} belongs to {chain.ip_owner(ip)}, not to this wallet",
                           hint="claim with the wallet that owns it (--wallet)")
        return claim(chain, self.setup.key(net), ip)

    def _sending(self, ref: str, network_name: str | None,
                 rpc_url: str | None) -> tuple[Network, Work, str, ChainClient, str]:
        """The network, the work, its IP id there, the client and the wallet's address (a devnet wallet topped
        up), for sending a transaction about the work."""
        net = self.setup.network(network_name, rpc_url)
        work = self.works.resolve(ref)
        ip = ip_of(self.journal, work, net)
        chain = self.setup.client(net)
        wallet = self.setup.wallet().address
        self.setup.fund_devnet(chain, wallet)
        return net, work, ip, chain, wallet
