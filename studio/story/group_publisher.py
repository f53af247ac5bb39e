"""Sends a planned training set to Story as a group IP and adds its members, through the journal.

The group's registration is an ordinary publication of the collection (draft → sent → confirmed, its signed
transaction stored before broadcast). Each add transaction is written to `group_members` (hash, nonce, signed
bytes) before it is broadcast, and the members the chain already holds are read before any add: a crash between
transactions never adds a member twice, and the next run finishes what the last one left.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from studio.core.types import Work
from studio.licensing import WorkTerms, effective_pil, royalty_percent
from studio.secrets import Secret
from studio.store.group_members import GroupMemberRecords
from studio.story.chain_types import RECEIPT_TIMEOUT_S, Call, Receipt
from studio.story.devnet.addresses import EVEN_SPLIT_GROUP_POOL, GROUP_NFT
from studio.story.errors import ChainReverted, PublishError
from studio.story.group_metadata import MemberCredit, group_metadata
from studio.story.journal import Journal, Publication
from studio.story.prediction import Prediction
from studio.story.publisher import SentTx, StepResult
from studio.story.settling import read_back, settle
from studio.story.storage import Storage
from studio.story.terms import licensing_config, terms_struct

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

log = logging.getLogger(__name__)

ADD_BATCH = 50  # members per add transaction: well inside a block's gas, few transactions for a large set
POOL_POLL_S = 0.2


@dataclass(frozen=True)
class JoiningMember:
    """A member on Story that joins the group: `own` when this wallet owns it, so the studio may offer it under
    the group's terms to the pool before adding it."""

    work_id: str
    title: str
    ip_id: str
    own: bool


@dataclass(frozen=True)
class GroupStep:
    work: Work  # the collection
    terms: WorkTerms
    joining: tuple[JoiningMember, ...]
    members: tuple[MemberCredit, ...]  # every member, named in the group's metadata

    # A group links to no parents, pays no fee and has no split of its own: its members share what it earns.
    is_derivative = False
    parents: tuple[()] = ()
    credits: tuple[()] = ()
    override = None
    split = None
    minting_fee = 0


def pool_config(minting_fee: int = 0) -> dict[str, object]:
    """A member's licensing config for the group's terms: offered to the even-split pool, asking no minimum."""
    return {**licensing_config(None, 0), "isSet": True, "mintingFee": minting_fee,
            "expectGroupRewardPool": EVEN_SPLIT_GROUP_POOL}


def offers_to_pool(chain: ChainClient, ip_id: str, terms: WorkTerms) -> bool:
    """Whether the IP offers `terms` to the even-split pool, as Story checks before adding it to a group."""
    terms_id = chain.contracts.terms_id(terms_struct(effective_pil(terms)))
    return (bool(terms_id) and terms_id in chain.contracts.attached_terms(ip_id)
            and configured_for_pool(chain, ip_id, terms_id))


def configured_for_pool(chain: ChainClient, ip_id: str, terms_id: int) -> bool:
    """Whether the IP's licensing config for `terms_id` names the even-split pool as its group reward pool."""
    config = chain.contracts.licensing_config(ip_id, terms_id)
    return str(config.get("expectGroupRewardPool", "")).lower() == EVEN_SPLIT_GROUP_POOL.lower()


def group_prediction(step: GroupStep, network: str, wallet: str) -> Prediction:
    pil = effective_pil(step.terms)
    return Prediction(
        work_id=step.work.id, network=network, wallet=wallet, license_id=step.terms.license_id,
        license_name=step.terms.license.name,
        terms={k: (v.hex() if isinstance(v, bytes) else v) for k, v in pil.story_fields().items()},
        royalty_percent=royalty_percent(step.terms), policy=pil.royalty_policy, royalty_stack=0, kind="group",
    )


class GroupPublisher:
    def __init__(self, journal: Journal, members: GroupMemberRecords, chain: ChainClient, storage: Storage,
                 key: Secret, wallet: str) -> None:
        self.journal = journal
        self.members = members
        self.chain = chain
        self.storage = storage
        self._key = key
        self.wallet = wallet

    @property
    def network(self) -> str:
        return self.chain.network.name

    def publish(self, step: GroupStep) -> StepResult:
        sent: list[SentTx] = []
        self._await_untracked()
        pub = self.journal.live(step.work.id, self.network)
        if pub is None or pub.state in ("draft", "failed"):
            pub = self._register(step, sent)
        elif pub.state == "sent":
            raise PublishError(f"the group of “{step.work.title}” waits for its receipt ({pub.tx_hash})",
                               hint="run `studio publish status` to settle it")
        group = pub.ip_id or ""
        self._describe(step, pub, group, sent)
        self.add_members(step, pub, sent)
        readback = read_back(self.chain, pub)
        readback["members"] = len(self.chain.groups.members(group))
        pub = self.journal.set_readback(pub.id, readback)
        return StepResult(pub, tuple(sent))

    # --- registration -----------------------------------------------------------------------------

    def _register(self, step: GroupStep, sent: list[SentTx]) -> Publication:
        struct = terms_struct(effective_pil(step.terms))
        terms_id = self.chain.contracts.terms_id(struct)
        if not terms_id:
            receipt = self._transact(self.chain.contracts.register_terms(struct), sent)
            terms_id = self.chain.contracts.terms_id(struct)
            log.info("registered the group's terms as %d (%s)", terms_id, receipt.tx_hash)
        prediction = group_prediction(step, self.network, self.wallet)
        pub = self.journal.draft(step.work.id, self.network, self.chain.network.chain_id, self.wallet, prediction)
        meta = group_metadata(step.work, terms=step.terms, wallet=self.wallet, members=step.members)
        uri = self.storage.put(meta.data, f"{step.work.id}.group.json", "application/json")
        self.journal.set_metadata(pub.id, uri, meta.hash, GROUP_NFT)
        call = self.chain.groups.register(terms_id, licensing_config(None, 0))
        signed = self.chain.sign(self._key, call)
        pub = self.journal.mark_sent(pub.id, signed.hash, signed.nonce, signed.raw)
        self.chain.broadcast(signed.raw, call.label)
        receipt = self.chain.wait(signed.hash)
        sent.append(SentTx(call.label, signed.hash, receipt.gas_used))
        pub = settle(self.journal, self.chain, pub, receipt)
        if pub.state == "failed":
            raise ChainReverted(f"registering the group of “{step.work.title}” failed on chain: {pub.error}",
                                hint="nothing else was sent; fix the cause and publish again")
        return pub

    def _await_untracked(self) -> None:
        """The group's metadata and a member's offer to the pool are not journaled: a run killed while one waited
        to be mined leaves it in the node's pool, where the chain does not show it yet. Every journaled
        transaction is settled before a plan runs, so what this wallet still has in the pool is such a one: it is
        mined before the chain is read again, so that it is never sent a second time."""
        target = self.chain.nonce(self.wallet)
        waiting = target - self.chain.nonce(self.wallet, pending=False)
        if waiting <= 0:
            return
        log.info("waiting for %d earlier transaction(s) of this wallet in the node's pool", waiting)
        deadline = time.monotonic() + RECEIPT_TIMEOUT_S
        while self.chain.nonce(self.wallet, pending=False) < target:
            if time.monotonic() > deadline:
                raise PublishError(f"{waiting} earlier transaction(s) of this wallet still wait in the node's pool",
                                   hint="publish the training set again once they are mined")
            time.sleep(POOL_POLL_S)

    def _describe(self, step: GroupStep, pub: Publication, group: str, sent: list[SentTx]) -> None:
        """The group's metadata, set once (again only if a crash came between registration and this)."""
        uri, _digest = self.chain.contracts.ip_metadata(group)
        if uri or not pub.metadata_uri or not pub.metadata_hash:
            return
        self._transact(self.chain.contracts.set_ip_metadata(group, pub.metadata_uri, pub.metadata_hash), sent)

    # --- members ----------------------------------------------------------------------------------

    def add_members(self, step: GroupStep, pub: Publication, sent: list[SentTx]) -> list[str]:
        """Add every joining member the chain's group does not hold yet; returns the IP ids added."""
        group = pub.ip_id or ""
        terms_id = pub.license_terms_ids[0]
        on_chain = {m.lower() for m in self.chain.groups.members(group)}
        known = {m.member_ip.lower() for m in self.members.members_of(step.work.id, self.network, ("sent", "added"))}
        already = [(m.work_id, m.ip_id) for m in step.joining if m.ip_id.lower() in on_chain]
        missing_rows = [pair for pair in already if pair[1].lower() not in known]
        if missing_rows:
            self.members.record_added(self.network, step.work.id, group, missing_rows)
        todo = [m for m in step.joining if m.ip_id.lower() not in on_chain and m.ip_id.lower() not in known]
        for member in todo:
            if member.own:
                self._offer_to_pool(member, terms_id, sent)
        # Only its owner can offer another's work to the pool: one that has not is credited, not added (Story
        # would refuse the whole batch).
        todo = [m for m in todo if m.own or self._opted_in(m, terms_id)]
        added: list[str] = []
        for start in range(0, len(todo), ADD_BATCH):
            batch = todo[start:start + ADD_BATCH]
            added += self._add(step.work.id, group, batch, sent)
        return added

    def _opted_in(self, member: JoiningMember, terms_id: int) -> bool:
        if terms_id not in self.chain.contracts.attached_terms(member.ip_id):
            log.info("%s does not offer the group's terms; credited, not added", member.ip_id)
            return False
        return configured_for_pool(self.chain, member.ip_id, terms_id)

    def _offer_to_pool(self, member: JoiningMember, terms_id: int, sent: list[SentTx]) -> None:
        """The wallet's own member offers the group's terms to its pool (what Story checks before adding)."""
        if terms_id not in self.chain.contracts.attached_terms(member.ip_id):
            self._transact(self.chain.contracts.attach_terms(member.ip_id, terms_id), sent)
        if not configured_for_pool(self.chain, member.ip_id, terms_id):
            call = self.chain.contracts.set_licensing_config(member.ip_id, terms_id, pool_config())
            self._transact(replace(call, label="offering a member's work to the group's reward pool"), sent)

    def _add(self, group_work_id: str, group: str, batch: Sequence[JoiningMember], sent: list[SentTx]) -> list[str]:
        call = self.chain.groups.add(group, [m.ip_id for m in batch])
        signed = self.chain.sign(self._key, call)
        self.members.record_sent(self.network, group_work_id, group, [(m.work_id, m.ip_id) for m in batch],
                                 signed.hash, signed.nonce, signed.raw)
        self.chain.broadcast(signed.raw, call.label)
        receipt = self.chain.wait(signed.hash)
        sent.append(SentTx(call.label, signed.hash, receipt.gas_used))
        if not receipt.ok:
            error = str(self.chain.failure(receipt, call.label))
            self.members.settle(signed.hash, "failed", error)
            raise ChainReverted(f"adding members to the group failed on chain: {error}",
                                hint="publish the training set again to retry the members not added")
        self.members.settle(signed.hash, "added")
        return [m.ip_id for m in batch]

    def _transact(self, call: Call, sent: list[SentTx]) -> Receipt:
        receipt = self.chain.transact(self._key, call)
        sent.append(SentTx(call.label, receipt.tx_hash, receipt.gas_used))
        return receipt


def reconcile_group_adds(journal: Journal, members: GroupMemberRecords, chain: ChainClient) -> int:
    """Settle add transactions a crash left `sent`: from their receipts; sent again when the node never got them
    and their nonce is free; failed when the nonce went to another transaction. Returns how many settled."""
    settled = 0
    seen: set[str] = set()
    for row in members.in_flight(chain.network.name):
        if row.tx_hash is None or row.tx_hash in seen:
            continue
        seen.add(row.tx_hash)
        receipt = chain.receipt(row.tx_hash)
        if receipt is not None:
            settled += members.settle(row.tx_hash, "added" if receipt.ok else "failed",
                                      None if receipt.ok else str(chain.failure(receipt, "adding members")))
        elif chain.is_known(row.tx_hash):
            continue
        elif row.nonce is not None and _nonce_used(journal, chain, row.group_work_id, row.nonce):
            settled += members.settle(row.tx_hash, "failed", f"dropped: nonce {row.nonce} was used by another "
                                                             "transaction")
        elif row.raw_tx:
            chain.broadcast(row.raw_tx, "adding members to the group again")
    return settled


def _nonce_used(journal: Journal, chain: ChainClient, group_work_id: str, nonce: int) -> bool:
    """Whether the group owner's wallet (which sends every add) has used the nonce on chain."""
    pub = journal.confirmed(group_work_id, chain.network.name)
    return pub is not None and bool(pub.wallet) and chain.nonce(pub.wallet or "", pending=False) > nonce
