"""Revenue of published works: tips paid to a work, what it and its ancestors can claim, and claims.

A work that is a member of training sets' groups on the network also earns through them (a payment to an
image of a model trained on the set reaches the set's group, which splits it evenly between its members):
`revenue` adds a line per group for what the group holds for the work, and `claim` first collects from
those groups into the work's vault, then claims the vault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studio.core.types import Work
from studio.lineage.graph import LineageGraph
from studio.services.publishing.running import ip_of
from studio.services.publishing.setup import PublishSetup
from studio.store.group_members import GroupMemberRecords, GroupMembership
from studio.store.works import WorkRepository
from studio.story.errors import NoWallet
from studio.story.group_revenue import collect_for_members, group_holdings
from studio.story.journal import Journal
from studio.story.networks import Network
from studio.story.publisher import SentTx
from studio.story.royalty_payments import CURRENCY, Claimable, claim, claimable, pay

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient


@dataclass(frozen=True)
class GroupShare(Claimable):
    """What a training set's group holds for one of its member works, not yet in the work's vault: `in_pool`
    collected into the group's pool and owed to the work, `share` its even share of what the group has not
    collected yet (dues in the royalty policies and the group's vault), `receives` what its vault will get
    of both (after the work's own royalty stack when it is itself a remix). `in_vault` is always 0: what is
    already in the work's vault is on the work's own line."""

    group_work_id: str = ""
    group_ip: str = ""
    in_pool: int = 0
    share: int = 0
    receives: int = 0

    @property
    def pending(self) -> int:
        return self.receives

    @property
    def total(self) -> int:
        return self.receives


class RevenueService:
    def __init__(self, setup: PublishSetup, journal: Journal, works: WorkRepository, graph: LineageGraph,
                 group_members: GroupMemberRecords | None = None) -> None:
        self.setup = setup
        self.journal = journal
        self.works = works
        self.graph = graph
        self.group_members = group_members or GroupMemberRecords(works.db)

    def revenue(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> list[Claimable]:
        """Claimable WIP of the work and of each of its ancestors that is on the network; after each, a
        `GroupShare` per training-set group on the network the work is a member of."""
        net = self.setup.network(network_name, rpc_url)
        work = self.works.resolve(ref)
        ip_of(self.journal, work, net)
        chain = self.setup.client(net)
        chain.require_code()
        ids = [work.id, *(n.id for n in self.graph.ancestors(work.id))]
        lines: list[Claimable] = []
        for work_id in ids:
            pub = self.journal.confirmed(work_id, net.name)
            if pub is not None and pub.ip_id:
                lines.append(claimable(chain, work_id, pub.ip_id))
                lines.extend(self._group_shares(chain, net, work_id, pub.ip_id))
        return lines

    def pay(self, ref: str, amount_wei: int, network_name: str | None = None,
            rpc_url: str | None = None) -> list[SentTx]:
        net, _work, ip, chain, wallet = self._sending(ref, network_name, rpc_url)
        return pay(chain, self.setup.key(net), wallet, ip, amount_wei)

    def claim(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> dict[str, Any]:
        """Collects what the work's groups hold for it into its vault, then claims the vault. The result's
        `from_groups` lists, per group, the transactions that moved the work's share (none when the group
        held nothing)."""
        net, work, ip, chain, wallet = self._sending(ref, network_name, rpc_url)
        owner = chain.contracts.ip_owner(ip)
        if owner.lower() != wallet.lower():
            raise NoWallet(f"“{work.title}” on {net.name} belongs to {owner}, not to this wallet",
                           hint="claim with the wallet that owns it (--wallet)")
        key = self.setup.key(net)
        from_groups = []
        for membership in self._memberships(net, work.id, ip):
            sent = collect_for_members(chain, key, membership.group_ip, [ip])
            from_groups.append({"group_id": membership.group_work_id, "group_ip": membership.group_ip,
                                "tx_hashes": [t.tx_hash for t in sent]})
        result = claim(chain, key, ip)
        result["from_groups"] = from_groups
        return result

    def _memberships(self, net: Network, work_id: str, ip: str) -> list[GroupMembership]:
        """The groups the journal has the work added to on the network with this IP."""
        return [m for m in self.group_members.groups_of(work_id, net.name) if m.member_ip.lower() == ip.lower()]

    def _group_shares(self, chain: ChainClient, net: Network, work_id: str, ip: str) -> list[GroupShare]:
        shares = []
        for membership in self._memberships(net, work_id, ip):
            (held,) = group_holdings(chain, membership.group_ip, [ip]).holdings
            shares.append(GroupShare(work_id, ip, CURRENCY, 0, (), membership.group_work_id, membership.group_ip,
                                     held.in_pool, held.share, held.receives))
        return shares

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
