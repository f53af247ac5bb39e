"""Settling what the journal left in flight from the chain's receipts, and reading publications back from the
chain to compare them with what the engines predicted."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from studio.licensing import PilTerms
from studio.store.works import now_iso
from studio.story.chain_types import Receipt
from studio.story.devnet.addresses import GROUP_NFT
from studio.story.journal import Journal, Publication
from studio.story.prediction import Prediction
from studio.story.terms import pil_from_struct

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

log = logging.getLogger(__name__)


def settle(journal: Journal, chain: ChainClient, pub: Publication, receipt: Receipt) -> Publication:
    """Record what a mined transaction did: confirmed with its IP, or failed with the decoded reason."""
    current = journal.get(pub.id)
    if current.state != "sent":
        return current  # another process settled it first
    if not receipt.ok:
        return journal.fail(pub.id, str(chain.failure(receipt, "the registration")))
    if _is_group(pub):
        group = chain.groups.registered(receipt)
        return journal.confirm(pub.id, group, 0, GROUP_NFT, tuple(chain.contracts.attached_terms(group)))
    registered = chain.contracts.registered(receipt)
    return journal.confirm(pub.id, registered.ip_id, registered.token_id, registered.nft_contract,
                           registered.license_terms_ids or _inherited_terms(pub))


def _is_group(pub: Publication) -> bool:
    return bool(pub.prediction) and (pub.prediction or {}).get("kind") == "group"


def _inherited_terms(pub: Publication) -> tuple[int, ...]:
    # A remix emits no LicenseTermsAttached: it carries its parents' terms ids.
    prediction = Prediction.of(pub)
    return prediction.parent_terms_ids if prediction is not None else ()


def reconcile(journal: Journal, chain: ChainClient) -> list[Publication]:
    """Settle every publication left `sent` on this network: from its receipt when mined; sent again unchanged
    when the node never got it and its nonce is still free; failed when another transaction took its nonce.
    Confirmed publications that were never read back are read back. Returns the publications it changed."""
    changed = []
    for pub in journal.in_flight(chain.network.name):
        receipt = chain.receipt(pub.tx_hash or "")
        if receipt is not None:
            changed.append(settle(journal, chain, pub, receipt))
            continue
        if chain.is_known(pub.tx_hash or ""):
            continue  # still waiting in the node's pool
        if pub.nonce is not None and pub.wallet and chain.nonce(pub.wallet, pending=False) > pub.nonce:
            changed.append(journal.fail(pub.id, f"dropped: nonce {pub.nonce} was used by another transaction"))
        elif pub.raw_tx:
            chain.broadcast(pub.raw_tx, "sending the registration again")
            log.info("publication %d was never received by the node; sent again as %s", pub.id, pub.tx_hash)
    for pub in journal.list(network=chain.network.name, states=("confirmed",)):
        if pub.readback is None and pub.origin == "published":
            changed.append(journal.set_readback(pub.id, read_back(chain, pub)))
    return changed


def read_back(chain: ChainClient, pub: Publication) -> dict[str, Any]:
    """The chain's own account of a publication, and whether it agrees with the prediction."""
    ip = pub.ip_id or ""
    prediction = Prediction.of(pub)
    parents = chain.contracts.parents(ip)
    attached = chain.contracts.attached_terms(ip)
    links = [chain.contracts.parent_terms(ip, p) for p in parents]
    terms_id = attached[0] if attached else None
    on_chain_terms = pil_from_struct(chain.contracts.license_terms(terms_id)) if terms_id is not None else None
    policy = prediction.policy if prediction is not None else None
    ancestors = []
    stack = None
    if prediction is not None and policy:
        stack = chain.contracts.policy_stack(policy, ip)
        ancestors = [{"ip_id": a.ip_id, "royalty": chain.contracts.policy_royalty(policy, ip, a.ip_id)}
                     for a in prediction.ancestors if a.ip_id]
    readback: dict[str, Any] = {
        "ip_id": ip,
        "owner": chain.contracts.ip_owner(ip),
        "parents": parents,
        "link_terms_ids": links,
        "attached_terms_ids": attached,
        "royalty_percent": chain.contracts.royalty_percent(ip, terms_id) if terms_id is not None else None,
        "royalty_stack": stack,
        "ancestors": ancestors,
        "read_at": now_iso(),
    }
    if prediction is None:
        return readback
    differences = _differences(prediction, readback, on_chain_terms)
    readback["agrees"] = not differences
    readback["differences"] = differences
    return readback


def _differences(prediction: Prediction, readback: dict[str, Any], terms: PilTerms | None) -> list[str]:
    found = []
    expected_parents = [p.ip_id.lower() for p in prediction.parents]
    if [p.lower() for p in readback["parents"]] != expected_parents:
        found.append(f"parents: expected {expected_parents}, chain has {readback['parents']}")
    expected_links = [p.license_terms_id for p in prediction.parents]
    if readback["link_terms_ids"] != expected_links:
        found.append(f"link terms: expected {expected_links}, chain has {readback['link_terms_ids']}")
    if terms is None:
        found.append("no license terms are attached")
    else:
        expected = {k: (bytes.fromhex(v) if k == "commercializerCheckerData" else v)
                    for k, v in prediction.terms.items()}
        if terms.story_fields() != expected:
            found.append("the attached terms differ from the license the engine chose")
    if readback["royalty_percent"] != prediction.royalty_percent:
        found.append(f"royalty percent: expected {prediction.royalty_percent}, "
                     f"chain has {readback['royalty_percent']}")
    if prediction.policy:
        if readback["royalty_stack"] != prediction.royalty_stack:
            found.append(f"royalty stack: expected {prediction.royalty_stack}, "
                         f"chain has {readback['royalty_stack']}")
        chain_royalty = {a["ip_id"].lower(): a["royalty"] for a in readback["ancestors"]}
        for a in prediction.ancestors:
            got = chain_royalty.get((a.ip_id or "").lower())
            if got != a.royalty:
                found.append(f"royalty of ancestor {a.work_id}: expected {a.royalty}, chain has {got}")
    return found

