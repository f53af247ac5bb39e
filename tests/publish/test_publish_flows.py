"""Publishing end to end through the studio's chain client on a real devnet: roots, remixes of one and of
several parents, remixes of remixes, fees, and the chain read back against the engines' predictions."""

from __future__ import annotations

import json

import pytest
from publish_helpers import PCT, WIP_UNIT

from studio.errors import InvalidInput
from studio.story.errors import PublishRefused


def test_root_is_minted_registered_and_licensed_in_one_transaction(desk, chain) -> None:
    root = desk.work("Dawn", rev_share=5)
    (result,) = desk.publish(root)
    pub = result.publication
    assert pub.state == "confirmed" and pub.ip_id and pub.tx_hash
    labels = [t.label for t in result.transactions]
    assert labels == ["creating the wallet's collection", "registering the work with its license terms"]
    assert chain.c("IPAssetRegistry").functions.isRegistered(pub.ip_id).call()
    (terms_id,) = pub.license_terms_ids
    terms = chain.c("PILicenseTemplate").functions.getLicenseTerms(terms_id).call()
    assert terms[8] == 5 * PCT  # commercialRevShare
    assert pub.readback["agrees"], pub.readback["differences"]
    assert pub.readback["owner"] == desk.address
    assert desk.studio.licenses.check(desk.studio.work(root.id)).reasons[-1].code == "already_on_chain"


def _labels(result) -> list[str]:
    return [t.label for t in result.transactions]


def test_remix_publishes_its_parent_first_and_links_in_one_transaction(desk, chain) -> None:
    root = desk.work("Dawn", rev_share=5)
    remix = desk.work("Noon", parents=[root])
    results = desk.publish(remix)
    assert [r.publication.work_id for r in results] == [root.id, remix.id]
    child = results[1]
    assert _labels(child) == ["registering the remix and linking it to its parents"]
    ip, parent_ip = desk.ip(remix), desk.ip(root)
    registry = chain.c("LicenseRegistry").functions
    assert registry.getParentIp(ip, 0).call() == parent_ip
    assert registry.getAttachedLicenseTerms(ip, 0).call()[1] == results[0].publication.license_terms_ids[0]
    readback = child.publication.readback
    assert readback["agrees"], readback["differences"]
    assert readback["royalty_stack"] == 5 * PCT == child.publication.prediction["royalty_stack"]
    assert readback["ancestors"] == [{"ip_id": parent_ip, "royalty": 5 * PCT}]
    assert child.publication.prediction["ancestors"][0]["work_id"] == root.id


def test_remix_of_a_remix_with_a_raised_share_matches_the_engine(desk, chain) -> None:
    dawn = desk.work("Dawn", rev_share=5)
    noon = desk.work("Noon", parents=[dawn], override=10)
    night = desk.work("Night", parents=[noon])
    results = desk.publish(night)
    assert [r.publication.work_id for r in results] == [dawn.id, noon.id, night.id]
    assert _labels(results[1]) == ["registering the remix and linking it to its parents",
                                   "raising the rev share this work's remixes pay"]
    registry = chain.c("LicenseRegistry").functions
    terms_id = results[0].publication.license_terms_ids[0]
    assert registry.getRoyaltyPercent(desk.ip(noon), chain.c("PILicenseTemplate").address, terms_id).call() == 10 * PCT
    final = results[2].publication
    assert final.readback["agrees"], final.readback["differences"]
    assert final.readback["royalty_stack"] == 15 * PCT
    engine = desk.studio.royalty(night.id, "lap")
    chain_royalty = {a["ip_id"]: a["royalty"] for a in final.readback["ancestors"]}
    assert chain_royalty == {desk.ip(noon): engine.ancestors[0].royalty, desk.ip(dawn): engine.ancestors[1].royalty}
    assert (engine.ancestors[0].royalty, engine.ancestors[1].royalty) == (10 * PCT, 5 * PCT)


def test_remix_of_two_parents_with_the_same_terms(desk, chain) -> None:
    left = desk.work("Left", rev_share=7)
    right = desk.work("Right", rev_share=7)
    both = desk.work("Both", parents=[left, right])
    results = desk.publish(both)
    assert [r.publication.work_id for r in results] == [left.id, right.id, both.id]
    pub = results[-1].publication
    assert [p.lower() for p in pub.readback["parents"]] == [desk.ip(left).lower(), desk.ip(right).lower()]
    assert pub.readback["royalty_stack"] == 14 * PCT
    assert pub.readback["agrees"], pub.readback["differences"]


def test_lrp_chain_reads_back_as_the_engine_predicts(desk) -> None:
    dawn = desk.work("Dawn", rev_share=20, royalty_policy="lrp")
    noon = desk.work("Noon", parents=[dawn], override=30)
    night = desk.work("Night", parents=[noon])
    final = desk.publish(night)[-1].publication
    assert final.prediction["policy"] == "lrp"
    assert final.readback["agrees"], final.readback["differences"]
    assert final.readback["royalty_stack"] == 30 * PCT  # LRP: direct parents only


def test_non_commercial_remix_links_without_royalties(desk) -> None:
    root = desk.work("Sketch", license_id="pil-non-commercial-social-remixing")
    remix = desk.work("Sketch remix", parents=[root])
    pub = desk.publish(remix)[-1].publication
    assert pub.prediction["policy"] is None and pub.readback["royalty_stack"] is None
    assert pub.readback["agrees"], pub.readback["differences"]


def test_minting_fees_are_wrapped_and_approved_once(desk, chain) -> None:
    root = desk.work("Paid", rev_share=5, minting_fee=2 * WIP_UNIT)
    desk.publish(root)
    first = desk.publish(desk.work("First remix", parents=[root]))[-1]
    assert _labels(first) == ["wrapping IP into WIP", "approving WIP for Story",
                              "registering the remix and linking it to its parents"]
    assert first.publication.prediction["minting_fee_total"] == 2 * WIP_UNIT
    second = desk.publish(desk.work("Second remix", parents=[root]))[-1]
    # The allowance given once is reused; only the fee itself is wrapped again.
    assert _labels(second) == ["wrapping IP into WIP", "registering the remix and linking it to its parents"]
    assert chain.wip_balance(desk.address) == 0
    vault = chain.vault_of(desk.ip(root))
    assert vault.functions.claimableRevenue(desk.ip(root), chain.c("WIP").address).call() == 4 * WIP_UNIT


def test_wip_already_held_is_used_before_wrapping_more(desk, chain) -> None:
    root = desk.work("Paid", rev_share=5, minting_fee=WIP_UNIT)
    desk.publish(root)
    chain.send(chain.c("WIP").functions.deposit(), chain.alice, value=3 * WIP_UNIT)
    chain.send(chain.c("WIP").functions.transfer(desk.address, 3 * WIP_UNIT), chain.alice)
    result = desk.publish(desk.work("Remix", parents=[root]))[-1]
    assert "wrapping IP into WIP" not in _labels(result)
    assert chain.wip_balance(desk.address) == 2 * WIP_UNIT


def test_metadata_is_stored_locally_and_its_hashes_match(desk, chain) -> None:
    root = desk.work("Dawn", rev_share=5)
    remix = desk.work("Noon", parents=[root])
    desk.publish(remix)
    pub = desk.studio.journal.confirmed(remix.id, "devnet")
    storage = desk.studio.publish_setup.storage(desk.studio.publish_setup.network("devnet"))
    ip_json = storage.get(pub.metadata_uri, pub.metadata_hash)
    meta = json.loads(ip_json)
    assert meta["relationships"] == [{"parentIpId": desk.ip(root), "type": "GENERATED_FROM"}]
    assert meta["creators"][0]["address"] == desk.address and meta["creators"][0]["contributionPercent"] == 100
    assert meta["mediaType"] == "image/png" and meta["image"] == meta["mediaUrl"]
    image = storage.get(meta["image"], meta["imageHash"])
    assert image == desk.studio.file_of(desk.studio.work(remix.id)).read_bytes()
    account = chain.c("IPAccountImpl", pub.ip_id).functions
    key = b"METADATA_URI".ljust(32, b"\x00")
    namespace = bytes.fromhex(chain.c("CoreMetadataModule").address[2:]).rjust(32, b"\x00")
    assert account.getBytes(namespace, key).call().decode() == pub.metadata_uri


def test_published_metadata_states_whether_others_may_train_on_the_work(desk, chain) -> None:
    open_work, closed_work = desk.work("Open", rev_share=5), desk.work("Closed", rev_share=5)
    desk.studio.set_training_choice(open_work.id, "allow")
    desk.studio.set_training_choice(closed_work.id, "deny")
    storage = desk.studio.publish_setup.storage(desk.studio.publish_setup.network("devnet"))
    for work, allowed in ((open_work, True), (closed_work, False)):
        desk.publish(work)
        pub = desk.studio.journal.confirmed(work.id, "devnet")
        meta = json.loads(storage.get(pub.metadata_uri, pub.metadata_hash))
        assert meta["robotTerms"] == {"userAgent": "*", "allow": "/" if allowed else ""}
        assert meta["remixStudio"]["aiTraining"] is allowed


def test_options_set_a_roots_terms_and_raise_a_remixs_share(desk, chain) -> None:
    root = desk.work("Dawn", rev_share=5)
    (result,) = desk.publish(root, rev_share=12 * PCT, minting_fee=WIP_UNIT // 2)
    stored = desk.studio.work(root.id)
    assert (stored.terms.rev_share, stored.terms.minting_fee) == (12 * PCT, WIP_UNIT // 2)
    terms = chain.c("PILicenseTemplate").functions.getLicenseTerms(result.publication.license_terms_ids[0]).call()
    assert (terms[8], terms[2]) == (12 * PCT, WIP_UNIT // 2)  # commercialRevShare, defaultMintingFee

    remix = desk.work("Noon", parents=[root])
    with pytest.raises(InvalidInput, match="carries its parents' terms"):
        desk.publish(remix, license_id="pil-non-commercial-social-remixing")
    with pytest.raises(InvalidInput, match="minting fee is inherited"):
        desk.publish(remix, minting_fee=1)
    with pytest.raises(InvalidInput, match="raise"):
        desk.publish(remix, rev_share=10 * PCT)
    with pytest.raises(PublishRefused) as err:
        desk.publish(remix, max_minting_fee=WIP_UNIT // 4)
    assert [r.code for r in err.value.reasons] == ["minting_fee_above_ceiling"]
    assert desk.studio.journal.list(work_id=remix.id) == []

    (raised,) = desk.publish(remix, rev_share=20 * PCT)
    assert desk.studio.work(remix.id).terms.rev_share_override == 20 * PCT
    assert raised.publication.readback["royalty_percent"] == 20 * PCT
    assert raised.publication.readback["agrees"], raised.publication.readback["differences"]
