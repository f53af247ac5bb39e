"""Revenue of a training set's group on Story for its members: what waits for the group, what each member
would receive, and the transactions that move it into the members' own vaults.

A payment to a work made from the group (an image of a model trained on the set) travels in four steps:
the group's LRP due waits in the royalty policy; `transferToVault` moves it into the group's vault; the
grouping module collects the vault into the even-split pool; the pool pays each listed member its even
share into the member's vault. From there the member's owner claims it like any revenue (`claim` in
studio.story.royalty_payments). Reads and sends go through the chain client's methods only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.licensing.story_rules import ROYALTY_POLICIES
from studio.royalty.groups import into_member_vault, member_share
from studio.secrets import Secret
from studio.story.chain_types import STORY_CONTRACTS
from studio.story.devnet.addresses import EVEN_SPLIT_GROUP_POOL
from studio.story.errors import PublishError
from studio.story.groups import GROUP_CONTRACTS
from studio.story.publisher import SentTx
from studio.story.royalty_payments import Due, dues

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient


@dataclass(frozen=True)
class MemberHolding:
    """What the group holds for one member, in WIP wei.

    `in_pool`: what the pool already owes it (collected, not yet paid: GroupingModule.getClaimableReward).
    `share`: its even share of what the group has not collected yet (`uncollected` of `GroupHoldings`);
    0 for an IP that is not a member. `receives`: what its own vault would get from both once collected
    and paid, after the member's own royalty stacks when it is itself a remix."""

    member_ip: str
    is_member: bool
    in_pool: int
    share: int
    receives: int


@dataclass(frozen=True)
class GroupHoldings:
    """What a group holds for its members: `pending` dues of its descendants still in the royalty policies,
    `in_vault` what the group's vault holds that the pool has not collected, and each asked member's part."""

    group_ip: str
    members: int
    pending: tuple[Due, ...]
    in_vault: int
    holdings: tuple[MemberHolding, ...]

    @property
    def uncollected(self) -> int:
        return self.in_vault + sum(d.amount for d in self.pending)


def group_pending(chain: ChainClient, group_ip: str) -> list[Due]:
    """What the group's descendants owe it and has not yet moved to its vault (only those owing something)."""
    return [d for d in dues(chain, group_ip) if d.amount > 0]


def group_holdings(chain: ChainClient, group_ip: str, member_ips: list[str]) -> GroupHoldings:
    """Everything that will reach the listed members from the group, read from the chain.

    Counted per member: its even share (among all the group's members, as the pool divides) of the dues
    waiting in the policies plus the group vault's revenue not yet collected, plus what the pool already
    owes it. The share is `member_share`, exact for a group whose pool holds no fraction of a wei per member
    (its first collection); after earlier collections left fractions, the pool may pay one wei more per
    member than counted. Not counted: revenue paid later, and anything the member's vault already holds
    (that is the member's own claimable revenue)."""
    chain.require_code((*STORY_CONTRACTS, *GROUP_CONTRACTS))
    if not chain.groups.is_group(group_ip):
        raise PublishError(f"{group_ip} is not a group on {chain.network.name}",
                           hint="pass the training set's group IP id")
    pending = tuple(group_pending(chain, group_ip))
    in_vault = chain.contracts.claimable(group_ip, EVEN_SPLIT_GROUP_POOL)
    current = {m.lower() for m in chain.groups.members(group_ip)}
    uncollected = in_vault + sum(d.amount for d in pending)
    share = member_share(uncollected, len(current))
    in_pool = chain.groups.claimable_reward(group_ip, member_ips) if member_ips else []
    holdings = []
    for ip, owed in zip(member_ips, in_pool, strict=True):
        is_member = ip.lower() in current
        mine = share if is_member else 0
        stacks = [chain.contracts.policy_stack(p, ip) for p in ROYALTY_POLICIES] if owed + mine else []
        holdings.append(MemberHolding(ip, is_member, owed, mine, into_member_vault(owed + mine, stacks)))
    return GroupHoldings(group_ip, len(current), pending, in_vault, tuple(holdings))


def member_claimable(chain: ChainClient, group_ip: str, member_ips: list[str]) -> dict[str, int]:
    """Per listed IP, the WIP wei its own vault would receive from the group once `collect_for_members` runs
    (see `group_holdings` for what is counted); 0 for an IP that is not a member."""
    return {h.member_ip: h.receives for h in group_holdings(chain, group_ip, member_ips).holdings}


def collect_for_members(chain: ChainClient, key: Secret, group_ip: str, member_ips: list[str]) -> list[SentTx]:
    """Moves every descendant's due into the group's vault (one transferToVault each), then collects the
    vault into the pool and pays the listed members their shares into their vaults. Each receipt must
    succeed (a revert raises, naming Story's error). Sends nothing when there is nothing to move or pay."""
    if not member_ips:
        raise PublishError("no group members to collect for", hint="name at least one member IP")
    chain.require_code((*STORY_CONTRACTS, *GROUP_CONTRACTS))
    holdings = group_holdings(chain, group_ip, member_ips)
    if not holdings.uncollected and not any(h.in_pool for h in holdings.holdings):
        return []
    sent = []
    for due in holdings.pending:
        call = chain.contracts.transfer_to_vault(due.policy, due.descendant, group_ip)
        receipt = chain.transact(key, call)
        sent.append(SentTx(call.label, receipt.tx_hash, receipt.gas_used))
    call = chain.groups.collect_royalties(group_ip, member_ips)
    receipt = chain.transact(key, call)
    sent.append(SentTx(call.label, receipt.tx_hash, receipt.gas_used))
    return sent
