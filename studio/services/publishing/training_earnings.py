"""What the creators of a model's training data have earned on Story: per creator, how many of their works are
members of the training set's group on the network, and the WIP their members' vaults will receive from the
group once its royalties are collected and paid (`member_claimable`, read from the chain).

The group and its members come from the journal (the collection's publication, whose prediction says "group",
and the `group_members` rows in state added); only the amounts are read from the chain. Reading never starts the
app's own devnet: a devnet that is not running is a network that cannot be reached.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.services.publishing.setup import PublishSetup
from studio.store.group_members import GroupMemberRecords
from studio.store.works import WorkRepository
from studio.story.errors import PublishError, RpcUnreachable
from studio.story.group_revenue import member_claimable
from studio.story.journal import Journal
from studio.story.networks import Network

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

GROUP_KIND = "group"
READ_TIMEOUT_S = 10.0  # a window's read: an endpoint that has not answered by then is as good as unreachable


@dataclass(frozen=True)
class CreatorEarnings:
    creator: str  # "" when the works name no creator
    members: int  # of their works in the group on the network
    claimable: int  # WIP wei their members' vaults will receive from the group
    in_vaults: int = 0  # WIP wei already paid into their members' vaults, waiting to be claimed (all their revenue)


@dataclass(frozen=True)
class TrainingEarnings:
    network: str
    collection_id: str
    group_ip: str
    creators: tuple[CreatorEarnings, ...]  # most WIP first, then most members

    @property
    def members(self) -> int:
        return sum(c.members for c in self.creators)

    @property
    def claimable(self) -> int:
        return sum(c.claimable for c in self.creators)

    @property
    def in_vaults(self) -> int:
        return sum(c.in_vaults for c in self.creators)


def group_ip_of(journal: Journal, collection_id: str, network: str) -> str | None:
    """The training set's group IP on the network, from its confirmed publication; None when it has none."""
    pub = journal.confirmed(collection_id, network)
    if pub is None or not pub.ip_id or (pub.prediction or {}).get("kind") != GROUP_KIND:
        return None
    return pub.ip_id


def training_earnings(chain: ChainClient, journal: Journal, members: GroupMemberRecords, works: WorkRepository,
                      collection_id: str) -> TrainingEarnings:
    """Per creator of the training set's members on the chain's network: members and WIP to receive."""
    network = chain.network.name
    group_ip = group_ip_of(journal, collection_id, network)
    if group_ip is None:
        raise PublishError(f"the training set {collection_id} is not a group on {network}",
                           hint=f"publish the model on {network}: its training set is published with it")
    added = members.members_of(collection_id, network)
    owed = {ip.lower(): wei for ip, wei in member_claimable(chain, group_ip, [m.member_ip for m in added]).items()} \
        if added else {}
    creators = {w.id: w.creator or "" for w in works.get_many([m.member_work_id for m in added]).values()}
    count: dict[str, int] = defaultdict(int)
    wei: dict[str, int] = defaultdict(int)
    held: dict[str, int] = defaultdict(int)
    for member in added:
        creator = creators.get(member.member_work_id, "")
        count[creator] += 1
        wei[creator] += owed.get(member.member_ip.lower(), 0)
        ip = member.member_ip
        held[creator] += chain.contracts.claimable(ip, ip) if chain.contracts.vault_of(ip) else 0
    rows = sorted((CreatorEarnings(c, count[c], wei[c], held[c]) for c in count),
                  key=lambda row: (-(row.claimable + row.in_vaults), -row.members, row.creator.casefold()))
    return TrainingEarnings(network, collection_id, group_ip, tuple(rows))


def reading_client(setup: PublishSetup, net: Network, timeout_s: float = READ_TIMEOUT_S) -> ChainClient:
    """A client for reading the network, closed by the caller; the app's devnet is read only when running."""
    if net.rpc_url is None:
        status = setup.devnet_status()
        if not status.running or status.rpc_url is None:
            raise RpcUnreachable(f"{net.name} is not running", hint="start it with `studio devnet start`")
        net = net.with_rpc(status.rpc_url)
    return setup.client(net, timeout_s=timeout_s)


class TrainingEarningsReader:
    """Reads what the creators of a model's training data have earned, for the window's model page."""

    def __init__(self, setup: PublishSetup, journal: Journal, group_members: GroupMemberRecords,
                 works: WorkRepository) -> None:
        self.setup = setup
        self.journal = journal
        self.group_members = group_members
        self.works = works

    def read(self, collection_id: str, network_name: str | None = None,
             timeout_s: float = READ_TIMEOUT_S) -> TrainingEarnings:
        """`training_earnings` on the library's network (or `network_name`), through a client of its own."""
        chain = reading_client(self.setup, self.setup.network(network_name), timeout_s)
        try:
            return training_earnings(chain, self.journal, self.group_members, self.works, collection_id)
        finally:
            chain.close()
