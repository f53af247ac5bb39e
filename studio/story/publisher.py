"""Sends one planned work to Story through the journal (settling and read-back are in settling.py).

Roots are minted, registered and given their PIL terms in one transaction
(LicenseAttachmentWorkflows.mintAndRegisterIpAndAttachPILTerms); remixes are minted, registered and linked to
their parents in one transaction (DerivativeWorkflows.mintAndRegisterIpAndMakeDerivative), after the fees are
wrapped and approved only as far as needed. After the receipt the chain is read back and compared with what
the engines predicted; both are stored with the publication.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from studio.core.types import Work, WorkKind
from studio.errors import StudioError
from studio.licensing import WorkTerms, effective_pil, royalty_percent
from studio.licensing.publishing import ParentPlan
from studio.royalty import RoyaltySplit
from studio.secrets import Secret
from studio.store.spg_collections import SpgCollectionRecords
from studio.store.works import WorkRepository
from studio.story.chain_types import UINT256_MAX, Call, MetadataRefs, SignedTx
from studio.story.devnet.addresses import DERIVATIVE_WORKFLOWS, WIP
from studio.story.errors import ChainReverted, InsufficientFunds, PublishError, PublishRefused
from studio.story.journal import Journal, Publication
from studio.story.metadata import ChainParent, CreditedParent, ip_metadata, nft_metadata
from studio.story.prediction import PredictedAncestor, PredictedParent, Prediction
from studio.story.settling import read_back, settle
from studio.story.storage import Storage, sha256_hex
from studio.story.terms import licensing_config, pil_from_struct, terms_struct

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

log = logging.getLogger(__name__)

COLLECTION_NAME = "Remix Studio"
COLLECTION_SYMBOL = "REMIX"


@dataclass(frozen=True)
class StepPlan:
    """One work to publish, with everything the license and royalty engines decided about it."""

    work: Work
    image_path: Path
    terms: WorkTerms
    parents: tuple[ParentPlan, ...]
    credits: tuple[CreditedParent, ...]
    policy: str | None
    split: RoyaltySplit | None
    new_terms: WorkTerms | None = None
    max_minting_fee: int | None = None
    max_revenue_share: int | None = None
    ai_training: bool | None = None  # may others train AI models on it (stated in the IP metadata)

    @property
    def is_derivative(self) -> bool:
        return bool(self.parents)

    @property
    def minting_fee(self) -> int:
        return sum(p.minting_fee for p in self.parents)

    @property
    def revenue_share(self) -> int:
        return sum(p.royalty_percent for p in self.parents)

    @property
    def fee_cap(self) -> int:
        return self.minting_fee if self.max_minting_fee is None else self.max_minting_fee

    @property
    def share_cap(self) -> int:
        return self.revenue_share if self.max_revenue_share is None else self.max_revenue_share

    @property
    def override(self) -> int | None:
        return self.terms.rev_share_override or None


@dataclass(frozen=True)
class SentTx:
    label: str
    tx_hash: str
    gas_used: int


@dataclass(frozen=True)
class StepResult:
    publication: Publication
    transactions: tuple[SentTx, ...] = field(default=())

    @property
    def gas_used(self) -> int:
        return sum(t.gas_used for t in self.transactions)


class Publisher:
    """Publishes planned works with one wallet on one network."""

    def __init__(self, journal: Journal, works: WorkRepository, spg_collections: SpgCollectionRecords,
                 chain: ChainClient, storage: Storage, key: Secret, wallet: str) -> None:
        self.journal = journal
        self.works = works
        self.spg_collections = spg_collections
        self.chain = chain
        self.storage = storage
        self._key = key
        self.wallet = wallet

    @property
    def network(self) -> str:
        return self.chain.network.name

    def publish(self, step: StepPlan) -> StepResult:
        sent: list[SentTx] = []
        parents = self._parents_on_chain(step)
        prediction = self._prediction(step, parents)
        with self.journal.atomic():
            if step.new_terms is not None:
                self.works.update(step.work.id, terms=step.new_terms.stored)
            pub = self.journal.draft(step.work.id, self.network, self.chain.network.chain_id, self.wallet, prediction)
        try:
            signed, label = self._prepare(step, parents, prediction, pub.id, sent)
        except StudioError as exc:
            # Nothing was sent for this publication: the journal says why, and a later attempt starts afresh.
            self.journal.fail(pub.id, str(exc))
            raise
        pub = self.journal.mark_sent(pub.id, signed.hash, signed.nonce, signed.raw)
        log.info("publication %d of %s sent as %s (nonce %d)", pub.id, step.work.id, signed.hash, signed.nonce)
        self.chain.broadcast(signed.raw, label)
        receipt = self.chain.wait(signed.hash)
        pub = settle(self.journal, self.chain, pub, receipt)
        sent.append(SentTx(label, signed.hash, receipt.gas_used))
        if pub.state == "failed":
            raise ChainReverted(f"publishing {step.work.id} failed on chain: {pub.error}",
                                hint="nothing else was sent; fix the cause and publish again")
        if step.is_derivative and step.override:
            self._raise_rev_share(pub, sent)
        pub = self.journal.set_readback(pub.id, read_back(self.chain, pub))
        return StepResult(pub, tuple(sent))

    def _prepare(self, step: StepPlan, parents: list[tuple[str, int]], prediction: Prediction, pub_id: int,
                 sent: list[SentTx]) -> tuple[SignedTx, str]:
        """What comes before the registration is journaled as sent: collection, metadata, fees, signature."""
        collection = self.ensure_collection(sent)
        refs = self._store_metadata(step, parents, collection, pub_id)
        if prediction.minting_fee_total:
            sent += ensure_wip(self.chain, self._key, self.wallet, prediction.minting_fee_total, DERIVATIVE_WORKFLOWS)
        call = registration_call(self.chain, step, collection, self.wallet, refs, parents)
        return self.chain.sign(self._key, call), call.label

    def finish(self, pub: Publication) -> StepResult:
        """Complete a confirmed publication whose raise of the rev share did not happen (a crash after the
        receipt), and read it back again."""
        sent: list[SentTx] = []
        prediction = Prediction.of(pub)
        if prediction is not None and prediction.rev_share_override and prediction.parents:
            config = self.chain.contracts.licensing_config(pub.ip_id or "", pub.license_terms_ids[0])
            if int(config["commercialRevShare"]) != prediction.rev_share_override:
                self._raise_rev_share(pub, sent)
        pub = self.journal.set_readback(pub.id, read_back(self.chain, pub))
        return StepResult(pub, tuple(sent))

    # --- steps ------------------------------------------------------------------------------------

    def _parents_on_chain(self, step: StepPlan) -> list[tuple[str, int]]:
        return parents_on_chain(self.journal, self.chain, step)

    def _prediction(self, step: StepPlan, parents: list[tuple[str, int]]) -> Prediction:
        fees = [self._fee(ip, terms_id) for ip, terms_id in parents]
        total = sum(fees)
        if total > step.fee_cap:
            raise PublishRefused(
                f"the parents now charge {total} wei in minting fees, more than the {step.fee_cap} wei confirmed",
                hint="publish again to see and confirm the new fees",
            )
        ancestors: list[PredictedAncestor] = []
        if step.split is not None:
            for share in step.split.ancestors:
                pub = self.journal.confirmed(share.id, self.network)
                ancestors.append(PredictedAncestor(share.id, pub.ip_id if pub else None, share.royalty, share.units,
                                                   float(share.share) / 1_000_000))
        pil = effective_pil(step.terms)
        return Prediction(
            work_id=step.work.id,
            network=self.network,
            wallet=self.wallet,
            license_id=step.terms.license_id,
            license_name=step.terms.license.name,
            terms={k: (v.hex() if isinstance(v, bytes) else v) for k, v in pil.story_fields().items()},
            rev_share_override=step.override,
            royalty_percent=royalty_percent(step.terms),
            policy=step.policy,
            parents=tuple(
                PredictedParent(p.work_id, ip, terms_id, p.royalty_percent, fee)
                for p, (ip, terms_id), fee in zip(step.parents, parents, fees, strict=True)
            ),
            minting_fee_total=total,
            max_minting_fee=step.fee_cap,
            max_revenue_share=step.share_cap,
            # A root owes no one: its stack is 0 under its policy.
            royalty_stack=step.split.stack if step.split else (0 if step.policy else None),
            creator_share=float(step.split.creator_share) / 1_000_000 if step.split else 100.0,
            ancestors=tuple(ancestors),
        )

    def _fee(self, ip_id: str, terms_id: int) -> int:
        currency, amount = self.chain.contracts.predict_fee(ip_id, terms_id, self.wallet)
        if amount and currency.lower() != WIP.lower():
            raise PublishRefused(f"a parent charges its minting fee in {currency}; the studio pays fees in WIP only")
        return amount

    def ensure_collection(self, sent: list[SentTx]) -> str:
        """The wallet's SPG collection on this network, created once (and again if the chain lost it)."""
        known = self.spg_collections.address(self.network, self.wallet)
        if known is not None and self.chain.has_code(known):
            return known
        call = self.chain.contracts.create_collection(self.wallet, COLLECTION_NAME, COLLECTION_SYMBOL)
        receipt = self.chain.transact(self._key, call)
        address = self.chain.contracts.collection_created(receipt)
        sent.append(SentTx(call.label, receipt.tx_hash, receipt.gas_used))
        self.spg_collections.put(self.network, self.wallet, address, receipt.tx_hash)
        return address

    def _store_metadata(self, step: StepPlan, parents: list[tuple[str, int]], collection: str,
                        pub_id: int) -> MetadataRefs:
        if step.work.kind is WorkKind.image:
            image_uri, image_hash = self._store_image(step)
        else:
            # A model's weights are shared where its creator shares them; Story gets their hash, not the bytes.
            image_uri, image_hash = "", "0x" + step.work.sha256
        summary = {"id": step.terms.license_id, "name": step.terms.license.name,
                   "royaltyPercent": royalty_percent(step.terms)}
        chain_parents = [ChainParent(ip, p.relation) for p, (ip, _) in zip(step.parents, parents, strict=True)]
        # Credited parents on this network (a LoRA's base model) are named as relationships without a link.
        for credit in step.credits:
            pub = self.journal.confirmed(credit.work_id, self.network)
            if pub is not None and pub.ip_id:
                chain_parents.append(ChainParent(pub.ip_id, credit.relation))
        ip_json = ip_metadata(step.work, image_uri=image_uri, image_hash=image_hash, wallet=self.wallet,
                              license_summary=summary, parents=chain_parents, credits=list(step.credits),
                              ai_training=step.ai_training)
        nft_json = nft_metadata(step.work, image_uri=image_uri, license_name=step.terms.license.name)
        ip_uri = self.storage.put(ip_json.data, f"{step.work.id}.ip.json", "application/json")
        nft_uri = self.storage.put(nft_json.data, f"{step.work.id}.nft.json", "application/json")
        self.journal.set_metadata(pub_id, ip_uri, ip_json.hash, collection)
        return MetadataRefs(ip_uri, ip_json.hash, nft_uri, nft_json.hash)

    def _store_image(self, step: StepPlan) -> tuple[str, str]:
        try:
            image = step.image_path.read_bytes()
        except OSError as exc:
            raise PublishError(f"the image of {step.work.id} cannot be read ({exc.strerror})",
                               hint="run `studio doctor` to check the library's files") from None
        if sha256_hex(image).removeprefix("0x") != step.work.sha256:
            raise PublishError(f"the image file of {step.work.id} no longer matches its recorded hash",
                               hint="run `studio doctor`; a changed file is never published")
        fmt = (step.work.format or "png").lower()
        return self.storage.put(image, f"{step.work.id}.{fmt}", f"image/{fmt}"), sha256_hex(image)

    def _raise_rev_share(self, pub: Publication, sent: list[SentTx]) -> None:
        prediction = Prediction.of(pub)
        if prediction is None or prediction.rev_share_override is None:
            return
        override = prediction.rev_share_override
        fee = int(prediction.terms["defaultMintingFee"])
        call = self.chain.contracts.set_licensing_config(pub.ip_id or "", pub.license_terms_ids[0],
                                                         licensing_config(override, fee))
        receipt = self.chain.transact(self._key, call)
        sent.append(SentTx(call.label, receipt.tx_hash, receipt.gas_used))


def parents_on_chain(journal: Journal, chain: ChainClient, step: StepPlan) -> list[tuple[str, int]]:
    """(ip id, license terms id) of every Story parent of the step, checked against the chain."""
    network = chain.network.name
    out = []
    for parent in step.parents:
        pub = journal.confirmed(parent.work_id, network)
        if pub is None or pub.ip_id is None:
            raise PublishRefused(f"publish “{parent.title}” ({parent.work_id}) on {network} first: a remix "
                                 "links to parents that are already registered there")
        out.append((pub.ip_id, _terms_id(chain, pub.ip_id, parent)))
    return out


def _terms_id(chain: ChainClient, ip_id: str, parent: ParentPlan) -> int:
    for terms_id in chain.contracts.attached_terms(ip_id):
        if pil_from_struct(chain.contracts.license_terms(terms_id)) == parent.pil:
            return terms_id
    raise PublishRefused(
        f"“{parent.title}” is on {chain.network.name} as {ip_id}, but without the terms the library records for it",
        hint="import it again with `studio import-ip` so the library mirrors the chain",
    )


def registration_call(chain: ChainClient, step: StepPlan, collection: str, wallet: str, refs: MetadataRefs,
                      parents: list[tuple[str, int]]) -> Call:
    """The one transaction that mints and registers the step's work: with its PIL terms attached (a root) or
    linked to its parents (a remix)."""
    if step.is_derivative:
        return chain.contracts.register_derivative(
            collection, wallet, refs, [p[0] for p in parents], [p[1] for p in parents],
            # Story reads 0 as "no limit"; 1 wei / 1 unit keeps a free link free.
            max(step.fee_cap, 1), max(step.share_cap, 1),
        )
    pil = effective_pil(step.terms)
    config = licensing_config(step.override, pil.default_minting_fee)
    return chain.contracts.register_root(collection, wallet, refs, [(terms_struct(pil), config)])


def ensure_wip(chain: ChainClient, key: Secret, wallet: str, amount: int, spender: str) -> list[SentTx]:
    """Hold `amount` WIP and let `spender` take it: wrap only the shortfall and approve only when the current
    allowance is too small. The approval is unlimited so that it is given once: the wallet never holds more WIP
    than the fees and tips it is about to pay, so the allowance cannot reach more than that."""
    sent: list[SentTx] = []
    shortfall = amount - chain.contracts.wip_balance(wallet)
    if shortfall > 0:
        if chain.balance(wallet) < shortfall:
            raise InsufficientFunds(
                f"the wallet needs {shortfall} wei more IP to wrap into WIP for the fees",
                hint=f"get IP from {chain.network.faucet}" if chain.network.faucet else "add IP to the wallet",
            )
        call = chain.contracts.wip_deposit(shortfall)
        receipt = chain.transact(key, call)
        sent.append(SentTx(call.label, receipt.tx_hash, receipt.gas_used))
    if chain.contracts.wip_allowance(wallet, spender) < amount:
        call = chain.contracts.wip_approve(spender, UINT256_MAX)
        receipt = chain.transact(key, call)
        sent.append(SentTx(call.label, receipt.tx_hash, receipt.gas_used))
    return sent
