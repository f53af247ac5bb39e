"""What publishing a plan will cost in gas, quoted by the network it goes to, before anything is signed.

Each transaction the plan will send is estimated by the node itself (eth_estimateGas) where it can be run now;
a transaction that depends on an earlier one of the same plan (a registration into a collection not created
yet, a remix of a parent not registered yet, the raise of a rev share) is counted at the gas it uses on Story's
own protocol contracts. The price per gas is the network's: the next block's base fee and its priority fee.
The total carries a margin and is an estimate: the chain charges what the transactions really use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from studio.errors import StudioError
from studio.licensing import effective_pil
from studio.store.group_members import GroupMemberRecords
from studio.story.chain_types import UINT256_MAX, Call, MetadataRefs
from studio.story.devnet.addresses import DERIVATIVE_WORKFLOWS
from studio.story.group_publisher import ADD_BATCH, GroupStep
from studio.story.journal import Journal
from studio.story.publisher import COLLECTION_NAME, COLLECTION_SYMBOL, StepPlan, parents_on_chain, registration_call
from studio.story.terms import licensing_config, terms_struct

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

# The gas Story's own contracts use for each transaction the studio sends, from receipts: protocol-core-v1 and
# protocol-periphery-v1 v1.3.2 (solc 0.8.26, cancun, 20,000 optimizer runs) deployed at Story's canonical
# addresses on anvil with story-geth's IP-graph rules at 0x0101, published through the studio's own path
# (measured 2026-12-07; BENCHMARKS.md, "Gas against Story's contracts"). Used only for a transaction the node
# cannot run before an earlier one of the plan is mined, or whose cost an earlier one changes (terms it registers,
# a vault it deploys, WIP it wraps). Each figure is the receipt rounded up, so that it stays within 1.0-1.15 of
# every receipt of its kind as Story charges it, the IP graph at the precompile's gas
# (tests/publish/story_receipts.py holds them).
STORY_GAS = {
    "collection": 590_000,  # 586,071
    "root": 1_240_000,  # terms already on the network: 1,218,326 to 1,235,438 (a collection's first mint)
    "root_new_terms": 1_530_000,  # the root whose registration also registers its terms: 1,519,347
    # A remix: "remix" with one parent whose royalty vault exists (2,258,159 to 2,283,761), "remix_parent" for
    # each further parent, "parent_vault" for each parent whose vault the link deploys (its first remix), and
    # "parent_fee" for each parent whose minting fee it pays. One parent without a vault: 2,611,404 to
    # 2,621,179; a root without a vault and a LoRA with one: 3,073,481 to 3,090,557; three parents with vaults:
    # 3,234,593; sixteen with vaults: 8,582,337 to 8,589,524, sixteen roots without: 14,080,242 to 14,087,465
    # (the receipts with the precompile's gas); a fee of 1 WIP to a parent without a vault: 2,796,213, to one
    # with a vault: 2,319,920 to 2,513,891.
    "remix": 2_320_000,
    "remix_parent": 490_000,
    "parent_vault": 340_000,
    "parent_fee": 200_000,
    "raise": 315_000,  # 314,103 to 314,115
    "deposit": 70_000,  # wrapping IP into WIP for a wallet holding none: 68,804
    "deposit_more": 52_000,  # for a wallet holding some already, or a plan's later wraps: 51,704
    "approve": 47_000,  # 46,383
    # Training-set groups. An add of k members costs "add" + k × "member" when it is the group's first,
    # "add_more" + k × "member" after that (first adds of 1, 3, 5: 496,580, 780,704, 1,064,850; later adds of
    # 1, 2, 3: 462,368, 631,543, 773,615).
    "terms": 345_000,  # 341,176
    "group": 1_060_000,  # 1,020,777; the network's first group 1,054,977
    "metadata": 310_000,  # 309,205 to 309,217
    "attach": 295_000,  # 294,180 to 294,192
    "config": 310_000,  # 307,982 to 307,994
    "add": 355_000,
    "add_more": 350_000,
    "member": 142_100,
}
MARGIN = 1.25

# Metadata of the size the studio writes (a CIDv1 URI, 32-byte hashes), so the estimate pays for real calldata.
_URI = "ipfs://bafkrei" + "a" * 52
_HASH = "0x" + hashlib.sha256(b"an estimate").hexdigest()
_PLACEHOLDER_REFS = MetadataRefs(_URI, _HASH, _URI, _HASH)


@dataclass(frozen=True)
class GasLine:
    label: str
    gas: int
    by_node: bool  # estimated by the network's node (else counted at Story's measured figure)


@dataclass(frozen=True)
class FeeEstimate:
    """The gas of every transaction the plan sends and the network's price for it, in wei."""

    network: str
    lines: tuple[GasLine, ...]
    base_fee: int  # the next block's base fee, wei per gas
    priority_fee: int  # wei per gas
    margin: float = MARGIN

    @property
    def gas(self) -> int:
        return sum(line.gas for line in self.lines)

    @property
    def price(self) -> int:
        return self.base_fee + self.priority_fee

    @property
    def wei(self) -> int:
        """The estimate shown before signing: gas × price × margin."""
        return int(self.gas * self.price * self.margin)

    @property
    def by_node(self) -> bool:
        return all(line.by_node for line in self.lines)

    def text(self) -> str:
        """One line for a person about to sign, e.g. "gas: about 0.0042 IP (estimate: 2,110,000 gas at 1.5 gwei
        quoted by aeneid, with a 25% margin)"."""
        source = "" if self.by_node else "; some transactions counted at Story's typical gas until the ones " \
                                         "before them are mined"
        return (f"gas: about {_ip(self.wei)} (estimate: {self.gas:,} gas at {_gwei(self.price)} quoted by "
                f"{self.network}, with a {round((self.margin - 1) * 100)}% margin{source})")

    def to_dict(self) -> dict[str, object]:
        return {"network": self.network, "estimate_wei": self.wei, "gas": self.gas, "base_fee_wei": self.base_fee,
                "priority_fee_wei": self.priority_fee, "margin": self.margin,
                "lines": [{"label": line.label, "gas": line.gas, "by_node": line.by_node} for line in self.lines]}


def _ip(wei: int) -> str:
    text = f"{Decimal(wei) / Decimal(10**18):.6g}"
    return f"{text} IP"


def _gwei(wei_per_gas: int) -> str:
    return f"{Decimal(wei_per_gas) / Decimal(10**9):.4g} gwei"


def estimate_fees(chain: ChainClient, journal: Journal, collection: str | None, wallet: str,
                  steps: Sequence[StepPlan | GroupStep]) -> FeeEstimate:
    """The gas of the transactions `steps` will send from `wallet`, in order, priced by the network now."""
    chain.require_code()
    base_fee, priority = chain.fee_per_gas()
    lines: list[GasLine] = []
    has_collection = collection is not None and chain.has_code(collection)
    if not has_collection:
        create = chain.contracts.create_collection(wallet, COLLECTION_NAME, COLLECTION_SYMBOL)
        lines.append(_estimated(chain, create, wallet, STORY_GAS["collection"]))
    wip = chain.contracts.wip_balance(wallet)
    approved = chain.contracts.wip_allowance(wallet, DERIVATIVE_WORKFLOWS)
    story = _StoryState(chain, journal)
    wrapped = False
    for step in steps:
        if isinstance(step, GroupStep):
            lines += _group_lines(chain, journal, step, wallet)
            story.terms_registered(terms_struct(effective_pil(step.terms)))
            continue
        fee = step.minting_fee
        ready = has_collection
        if fee:
            if wip < fee:
                deposit = chain.contracts.wip_deposit(fee - wip)
                funded = chain.balance(wallet) >= fee - wip
                typical = STORY_GAS["deposit" if wip == 0 and not wrapped else "deposit_more"]
                # After a wrap earlier in the plan the node, which sees the wallet as it is now, would count the
                # dearer first one again; on Story's contracts the later wraps of a plan cost the lesser figure.
                lines.append(_estimated(chain, deposit, wallet, typical) if funded and not wrapped
                             else GasLine(deposit.label, typical, False))
                wip = fee
                wrapped = True
                ready = False  # the registration pulls WIP that only exists once the deposit is mined
            if approved < fee:
                lines.append(_estimated(chain, chain.contracts.wip_approve(DERIVATIVE_WORKFLOWS, UINT256_MAX), wallet,
                                        STORY_GAS["approve"]))
                approved = UINT256_MAX
                ready = False
            wip -= fee
        lines.append(_registration(chain, journal, step, collection if ready else None, wallet, story))
        story.registered(step)
        if step.is_derivative and step.override:
            lines.append(GasLine("raising the rev share this work's remixes pay", STORY_GAS["raise"], False))
    return FeeEstimate(chain.network.name, tuple(lines), base_fee, priority)


def _group_lines(chain: ChainClient, journal: Journal, step: GroupStep, wallet: str) -> list[GasLine]:
    """What GroupPublisher sends for a training set: its terms (once per network), the group and its metadata
    (unless the group is on the network already and this plan only adds newcomers), each of the wallet's own
    members offered under the group's terms to its pool, and the members in batches. The node can run only the
    first two before anything is mined; the rest are counted at the devnet's measured gas."""
    lines: list[GasLine] = []
    struct = terms_struct(effective_pil(step.terms))
    terms_id = chain.contracts.terms_id(struct)
    network = chain.network.name
    group = journal.confirmed(step.work.id, network)
    records = GroupMemberRecords(journal.records.db)
    held: set[str] = set()
    if group is None or not group.ip_id:
        if not terms_id:
            lines.append(_estimated(chain, chain.contracts.register_terms(struct), wallet, STORY_GAS["terms"]))
            lines.append(GasLine("registering the training set as a group", STORY_GAS["group"], False))
        else:
            lines.append(_estimated(chain, chain.groups.register(terms_id, licensing_config(None, 0)), wallet,
                                    STORY_GAS["group"]))
        lines.append(GasLine("describing the training set's group", STORY_GAS["metadata"], False))
    else:
        # Publishing again: only members the group does not hold yet are sent (its metadata was set once).
        held = {m.lower() for m in chain.groups.members(group.ip_id)}
        held |= {m.member_ip.lower() for m in records.members_of(step.work.id, network, ("sent", "added"))}
        if not chain.contracts.ip_metadata(group.ip_id)[0] and group.metadata_uri:
            lines.append(GasLine("describing the training set's group", STORY_GAS["metadata"], False))
    todo = [m for m in step.joining if m.ip_id.lower() not in held]
    attach = config = 0
    for member in (m for m in todo if m.own):
        offered, attached = _offered(journal, records, member.work_id, network, terms_id)
        attach += not attached
        config += not offered
    if attach:
        lines.append(GasLine(f"offering {attach} of your works under the training set's terms",
                             attach * STORY_GAS["attach"], False))
    if config:
        lines.append(GasLine(f"offering {config} of your works to the group's reward pool",
                             config * STORY_GAS["config"], False))
    for start in range(0, len(todo), ADD_BATCH):
        count = len(todo[start:start + ADD_BATCH])
        lines.append(GasLine(f"adding {count} members to the group",
                             story_add_gas(count, first=not held and start == 0), False))
    return lines


def _offered(journal: Journal, records: GroupMemberRecords, work_id: str, network: str,
             terms_id: int) -> tuple[bool, bool]:
    """(offered to a group pool under the terms, the terms attached) for a member of the wallet's own, from the
    journal rather than the chain, so a large set plans without a read per member: attached when its own
    registration carried the terms; both when it joined another group of these terms already."""
    if not terms_id:
        return False, False
    for membership in records.groups_of(work_id, network):
        other = journal.confirmed(membership.group_work_id, network)
        if other is not None and terms_id in other.license_terms_ids:
            return True, True
    pub = journal.confirmed(work_id, network)
    return False, pub is not None and terms_id in pub.license_terms_ids


class _StoryState:
    """What a registration will find on Story when its turn comes, for counting one the node cannot run yet:
    whether its terms are registered, and which of its parents hold a royalty vault (Story deploys a parent's
    vault at its first remix, and a remix's own at its registration)."""

    def __init__(self, chain: ChainClient, journal: Journal) -> None:
        self.chain = chain
        self.journal = journal
        self._vaults: set[str] = set()  # works of this plan that will hold a vault by then
        self._terms: set[str] = set()  # terms this plan registers

    def registered(self, step: StepPlan) -> None:
        if step.is_derivative:
            self._vaults.add(step.work.id)
            self._vaults.update(p.work_id for p in step.parents)
        else:
            self.terms_registered(terms_struct(effective_pil(step.terms)))

    def terms_registered(self, struct: dict[str, object]) -> None:
        self._terms.add(_terms_key(struct))

    def terms_known(self, struct: dict[str, object]) -> bool:
        return _terms_key(struct) in self._terms or self._terms_on_chain(struct)

    def _terms_on_chain(self, struct: dict[str, object]) -> bool:
        try:
            return bool(self.chain.contracts.terms_id(struct))
        except StudioError:
            return False  # counted as the dearer registration

    def has_vault(self, work_id: str) -> bool:
        return work_id in self._vaults or self._vault_on_chain(work_id)

    def done_earlier(self, step: StepPlan) -> bool:
        """Whether an earlier step of the plan registers this root's terms, or deploys the royalty vault of one of
        this remix's parents: the node runs the registration on the chain as it is now, so it would count that
        work a second time (16 roots under new terms: 1.26 times their receipts)."""
        if not step.is_derivative:
            struct = terms_struct(effective_pil(step.terms))
            return _terms_key(struct) in self._terms and not self._terms_on_chain(struct)
        return any(p.work_id in self._vaults and not self._vault_on_chain(p.work_id) for p in step.parents)

    def _vault_on_chain(self, work_id: str) -> bool:
        pub = self.journal.confirmed(work_id, self.chain.network.name)
        if pub is None or not pub.ip_id:
            return False
        try:
            return self.chain.contracts.vault_of(pub.ip_id) is not None
        except StudioError:
            return False

    def typical(self, step: StepPlan) -> int:
        """Story's gas for the step's registration, by the shape that decides it."""
        if not step.is_derivative:
            return story_root_gas(terms_known=self.terms_known(terms_struct(effective_pil(step.terms))))
        without_vault = sum(not self.has_vault(p.work_id) for p in step.parents)
        paying = sum(p.minting_fee > 0 for p in step.parents)
        return story_remix_gas(len(step.parents), without_vault, paying)


def story_root_gas(*, terms_known: bool) -> int:
    """Story's gas for registering a root with its terms, which it registers too unless they are known."""
    return STORY_GAS["root" if terms_known else "root_new_terms"]


def story_add_gas(members: int, *, first: bool) -> int:
    """Story's gas for adding `members` members to a group, in the group's first add or a later one."""
    return STORY_GAS["add" if first else "add_more"] + members * STORY_GAS["member"]


def story_remix_gas(parents: int, parents_without_vault: int, parents_paid: int = 0) -> int:
    """Story's gas for registering a remix of `parents` parents, `parents_without_vault` of them linked to for
    the first time (their royalty vault is deployed by this registration) and `parents_paid` of them paid a
    minting fee."""
    return (STORY_GAS["remix"] + max(parents - 1, 0) * STORY_GAS["remix_parent"]
            + parents_without_vault * STORY_GAS["parent_vault"] + parents_paid * STORY_GAS["parent_fee"])


def _terms_key(struct: dict[str, object]) -> str:
    return repr(sorted(struct.items()))


def _registration(chain: ChainClient, journal: Journal, step: StepPlan, collection: str | None,
                  wallet: str, story: _StoryState) -> GasLine:
    label = ("registering the remix and linking it to its parents" if step.is_derivative
             else "registering the work with its license terms")
    if collection is None or story.done_earlier(step):
        return GasLine(label, story.typical(step), False)
    try:
        parents = parents_on_chain(journal, chain, step)
        call = registration_call(chain, step, collection, wallet, _PLACEHOLDER_REFS, parents)
    except StudioError:
        return GasLine(label, story.typical(step), False)  # a parent this plan registers first
    try:
        return GasLine(call.label, chain.estimate_gas(call, wallet), True)
    except StudioError:
        # The node refuses to run it now (a revert it will explain when the plan is sent): count it as Story does.
        return GasLine(call.label, story.typical(step), False)


def _estimated(chain: ChainClient, call: Call, wallet: str, typical: int) -> GasLine:
    try:
        return GasLine(call.label, chain.estimate_gas(call, wallet), True)
    except StudioError:
        # The node refuses to run it now (a revert it will explain when the plan is sent): count it as Story does.
        return GasLine(call.label, typical, False)
