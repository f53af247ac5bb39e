"""Revenue of published works: tips paid in WIP, what each work and its ancestors can claim, and claims.

Story pays in two steps: a payment to a remix leaves the ancestors' shares with the royalty policy until
someone moves them to each ancestor's vault (transferToVault); the vault's holders then claim. "Claimable"
here counts both: what is already in the vault and what the policies still hold for it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.core.types import HUNDRED_PERCENT
from studio.licensing.story_rules import ROYALTY_POLICIES
from studio.secrets import Secret
from studio.story.devnet.addresses import ROYALTY_MODULE
from studio.story.errors import PublishError
from studio.story.publisher import SentTx, ensure_wip
from studio.story.terms import POLICY_ADDRESSES, ZERO_ADDRESS

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

CURRENCY = "WIP"
MAX_DESCENDANTS = 1024


@dataclass(frozen=True)
class Due:
    """What one descendant's revenue owes an ancestor under one policy and has not yet moved to its vault."""

    descendant: str
    policy: str
    amount: int


@dataclass(frozen=True)
class Claimable:
    work_id: str
    ip_id: str
    currency: str
    in_vault: int
    from_remixes: tuple[Due, ...]

    @property
    def pending(self) -> int:
        return sum(d.amount for d in self.from_remixes)

    @property
    def total(self) -> int:
        return self.in_vault + self.pending


def descendants(chain: ChainClient, ip_id: str) -> list[str]:
    seen: dict[str, None] = {}
    queue = deque(chain.contracts.derivatives(ip_id))
    while queue:
        child = queue.popleft()
        if child.lower() in {s.lower() for s in seen}:
            continue
        if len(seen) >= MAX_DESCENDANTS:
            raise PublishError(f"IP {ip_id} has more than {MAX_DESCENDANTS} descendants",
                               hint="claim from a block explorer or Story's tools")
        seen[child] = None
        queue.extend(chain.contracts.derivatives(child))
    return list(seen)


def dues(chain: ChainClient, ancestor: str) -> list[Due]:
    """Every (descendant, policy) whose policy owes `ancestor` something, computed as the policy will."""
    found = []
    for child in descendants(chain, ancestor):
        for policy in ROYALTY_POLICIES:
            share = chain.contracts.policy_royalty(policy, child, ancestor)
            if not share:
                continue
            due = chain.contracts.revenue_accounted(child, policy) * share // HUNDRED_PERCENT
            if policy == "lrp":
                due -= due * chain.contracts.policy_stack("lrp", ancestor) // HUNDRED_PERCENT
            owed = due - chain.contracts.transferred(policy, child, ancestor)
            found.append(Due(child, policy, max(owed, 0)))
    return found


def claimable(chain: ChainClient, work_id: str, ip_id: str) -> Claimable:
    return Claimable(work_id, ip_id, CURRENCY, chain.contracts.claimable(ip_id, ip_id), tuple(dues(chain, ip_id)))


def pay(chain: ChainClient, key: Secret, wallet: str, ip_id: str, amount: int) -> list[SentTx]:
    """A tip: wrap IP into WIP, approve the royalty module, payRoyaltyOnBehalf from no IP (an outside payer)."""
    if amount <= 0:
        raise PublishError("a payment must be more than 0 wei")
    chain.require_code()
    if not chain.contracts.is_registered(ip_id):
        raise PublishError(f"{ip_id} is not registered on {chain.network.name}")
    sent = ensure_wip(chain, key, wallet, amount, ROYALTY_MODULE)
    call = chain.contracts.pay_royalty(ip_id, ZERO_ADDRESS, amount)
    receipt = chain.transact(key, call)
    return [*sent, SentTx(call.label, receipt.tx_hash, receipt.gas_used)]


def claim(chain: ChainClient, key: Secret, ip_id: str) -> dict:
    """Move every descendant's due into the vault and claim it for the IP; the SDK then moves the WIP from
    the IP account to the wallet and unwraps it."""
    owed = [d for d in dues(chain, ip_id) if d.amount > 0]
    if chain.contracts.vault_of(ip_id) is None:
        raise PublishError(f"IP {ip_id} has no royalty vault yet, so nothing to claim",
                           hint="a vault is created when the work is first licensed or remixed")
    result = chain.claim_all_revenue(key, ip_id, [d.descendant for d in owed],
                                     [POLICY_ADDRESSES[d.policy] for d in owed])
    result["moved_from"] = [{"descendant": d.descendant, "policy": d.policy, "amount": d.amount} for d in owed]
    return result
