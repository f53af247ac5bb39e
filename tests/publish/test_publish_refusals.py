"""What the engines refuse is never sent; sent anyway (straight through the chain client), the chain reverts
with the contract's decoded custom error. Also the release gate, and parents that must go first."""

from __future__ import annotations

import pytest
from devnet_chain import commercial_remix
from publish_helpers import DEAD_END_LICENSE, PCT, catalogue_with_dead_end, desk_publisher, forget_wallet, open_desk

from studio.secrets import Secret
from studio.services.publishing import PublishOptions
from studio.story.chain import ChainClient, MetadataRefs
from studio.story.errors import AlreadyPublished, ChainReverted, PublishRefused
from studio.story.networks import NETWORKS

EMPTY = MetadataRefs("", "0x" + "00" * 32, "", "0x" + "00" * 32)
ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # the devnet's first account


def refused(desk, work, **options) -> PublishRefused:
    """Publishing `work` is refused before anything is signed: no journal row, no transaction."""
    client = desk.studio.publish_setup.client(desk.studio.publish_setup.network("devnet"))
    nonce = client.nonce(desk.address)
    with pytest.raises(PublishRefused) as err:
        desk.publish(work, **options)
    assert desk.studio.journal.list(work_id=work.id) == []
    assert client.nonce(desk.address) == nonce
    return err.value


def send_directly(desk, parents, *, max_revenue_share: int = 0, mined: bool = False) -> ChainReverted:
    """Register a remix of `parents` through the chain client with no engine in the way; returns the revert.
    `mined`: skip the gas estimate, so the transaction is mined, fails, and its reason is replayed."""
    studio = desk.studio
    client = studio.publish_setup.client(studio.publish_setup.network("devnet"))
    key = studio.publish_setup.wallets.key(studio.publish_setup.wallet_name)
    publisher = desk_publisher(desk, client, key)
    collection = publisher.ensure_collection([])
    terms = [studio.journal.confirmed(p.id, "devnet").license_terms_ids[0] for p in parents]
    call = client.contracts.register_derivative(collection, desk.address, EMPTY, [desk.ip(p) for p in parents],
                                                terms, 0, max_revenue_share)
    if not mined:
        with pytest.raises(ChainReverted) as err:
            client.transact(key, call)
        return err.value
    signed = client.sign(key, call, gas=3_000_000)
    client.broadcast(signed.raw)
    receipt = client.wait(signed.hash)
    assert receipt.status == 0
    return client.failure(receipt, "the remix")


def test_no_derivatives_parent(desk) -> None:
    parent = desk.work("Commercial use only", license_id="pil-commercial-use", owned=False)
    desk.publish(parent)
    remix = desk.work("Remix", parents=[parent])
    err = refused(desk, remix)
    assert {r.code for r in err.reasons} >= {"flagged"}
    assert "allows no remixes" in str(err)
    revert = send_directly(desk, [parent])
    assert revert.error_name == "LicensingModule__LicenseNotCompatibleForDerivative"
    assert "do not allow this remix" in str(revert)


def test_non_reciprocal_remix_is_a_dead_end(chain, devnet, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDIO_LICENSES_DIR", str(catalogue_with_dead_end(tmp_path)))
    desk = open_desk(tmp_path / "lib", devnet, tmp_path, monkeypatch)
    desk.studio.publish_setup.create_wallet()
    root = desk.work("Remix once", license_id=DEAD_END_LICENSE, rev_share=5, owned=False)
    first = desk.work("First remix", parents=[root], license_id=DEAD_END_LICENSE, owned=False)
    desk.publish(root)
    (pub,) = desk.publish(first)
    assert pub.publication.state == "confirmed"
    second = desk.work("Remix of the remix", parents=[first])
    err = refused(desk, second)
    assert any("is itself a remix" in r.message for r in err.reasons)
    revert = send_directly(desk, [first], mined=True)
    assert revert.error_name == "LicensingModule__LicenseNotCompatibleForDerivative"
    forget_wallet(desk)
    desk.studio.close()


def test_commercial_and_non_commercial_parents_are_not_mixed(desk) -> None:
    free = desk.work("Free sketch", license_id="pil-non-commercial-social-remixing", owned=False)
    paid = desk.work("Paid art", rev_share=5, owned=False)
    desk.publish(free)
    desk.publish(paid)
    blend = desk.work("Blend", parents=[free, paid])
    err = refused(desk, blend)
    (flag,) = [r for r in err.reasons if r.code == "flagged"]
    assert "carry different reciprocal terms" in flag.message
    assert send_directly(desk, [free, paid]).error_name == "LicensingModule__LicenseNotCompatibleForDerivative"


def test_rev_share_ceiling_the_user_sets(desk) -> None:
    parent = desk.work("Greedy", rev_share=20)
    desk.publish(parent)
    remix = desk.work("Remix", parents=[parent])
    err = refused(desk, remix, max_rev_share=10 * PCT)
    assert [r.code for r in err.reasons] == ["rev_share_above_ceiling"]
    revert = send_directly(desk, [parent], max_revenue_share=10 * PCT)
    assert revert.error_name == "LicensingModule__ExceedMaxRevenueShare"
    assert "revenueShare=20%" in str(revert) and "maxRevenueShare=10%" in str(revert)
    assert "raise --max-rev-share to at least 20" in str(revert)


def test_royalty_stack_over_100_percent(desk) -> None:
    top = desk.work("Top", rev_share=60)
    middle = desk.work("Middle", parents=[top], override=70)
    desk.publish(middle)
    bottom = desk.work("Bottom", parents=[middle])
    err = refused(desk, bottom)
    assert {r.code for r in err.reasons} & {"lap_parent_stack_above_100", "lap_stack_above_100"}
    revert = send_directly(desk, [middle])
    assert revert.error_name in {"RoyaltyPolicyLAP__AboveMaxPercent", "RoyaltyModule__AboveMaxPercent"}
    assert "100%" in str(revert)


def test_parent_imported_and_not_on_chain_must_be_published_first(desk) -> None:
    theirs = desk.work("Someone else's", rev_share=5, owned=False)
    remix = desk.work("Remix", parents=[theirs])
    err = refused(desk, remix)
    (reason,) = [r for r in err.reasons if r.code == "parent_not_on_chain"]
    assert theirs.id in reason.message and "import-ip" in reason.message


def test_own_parents_are_only_published_first_when_asked(desk) -> None:
    mine = desk.work("Mine", rev_share=5)
    remix = desk.work("Remix", parents=[mine])
    err = refused(desk, remix, with_ancestors=False)
    assert any(r.code == "parent_not_on_chain" and mine.id in r.message for r in err.reasons)
    assert desk.studio.journal.list(work_id=mine.id) == []


def test_a_work_is_never_published_twice(desk) -> None:
    work = desk.work("Once", rev_share=5)
    desk.publish(work)
    with pytest.raises(AlreadyPublished, match="already on devnet as IP 0x"):
        desk.studio.publish(work.id, PublishOptions(with_ancestors=False))
    assert len(desk.studio.journal.list(work_id=work.id)) == 1


def test_unapproved_work_is_refused_when_review_is_required(desk) -> None:
    work = desk.work("Needs review", rev_share=5)
    desk.studio.review.set_review_required(True)
    err = refused(desk, work)
    assert [r.code for r in err.reasons] == ["release_not_approved"]
    desk.studio.review.record_decision(work.id, "approved", "Rae Reviewer")
    (result,) = desk.publish(work)
    assert result.publication.state == "confirmed"


def test_seventeen_parents_are_refused_in_one_line_that_says_what_to_do(chain, devnet) -> None:
    """The lineage never lets a work have 17 parents, so the remix is sent straight through the chain client: the
    registry's revert comes back as one line with its arguments and what to do."""
    parents, terms = [], []
    for _ in range(17):
        ip, (terms_id,) = chain.register_root(commercial_remix(1))
        parents.append(ip)
        terms.append(terms_id)
    client = ChainClient(NETWORKS["devnet"], devnet.status().rpc_url)
    try:
        call = client.contracts.register_derivative(chain.spg, chain.alice, EMPTY, parents, terms, 0, 0)
        with pytest.raises(ChainReverted) as err:
            client.transact(Secret(ANVIL_KEY_0), call)
    finally:
        client.close()
    line = str(err.value)
    assert err.value.error_name == "LicenseRegistry__TooManyParents"
    assert "\n" not in line and "a remix may have at most 16 parents" in line
    assert "link at most 16 parents (this remix lists 17)" in line


def test_a_lap_stack_above_100_percent_only_through_paths_is_refused_in_the_plan(desk) -> None:
    """Root (26%) reached through two parents: each parent's stack is 26%, the remix's (26 + 26) × 2 = 104%.
    The plan refuses it in one line before signing; sent anyway, Story's royalty module refuses the link."""
    root = desk.work("Root", rev_share=26)
    left = desk.work("Left", parents=[root])
    right = desk.work("Right", parents=[root])
    for work in (root, left, right):
        desk.publish(work)
    tip = desk.work("Tip", parents=[left, right])
    err = refused(desk, tip)
    assert [r.code for r in err.reasons] == ["lap_stack_above_100"]
    assert "104%" in str(err) and "\n" not in str(err)
    assert send_directly(desk, [left, right]).error_name == "RoyaltyModule__AboveMaxPercent"
    # at exactly 100% the same diamond is published
    root = desk.work("Root 25", rev_share=25)
    left, right = desk.work("Left 25", parents=[root]), desk.work("Right 25", parents=[root])
    tip = desk.work("Tip 25", parents=[left, right])
    final = desk.publish(tip)[-1].publication
    assert final.readback["agrees"] and final.readback["royalty_stack"] == 100 * PCT


def test_a_lap_parent_and_an_lrp_parent_are_refused_in_the_plan(desk) -> None:
    """A remix of a LAP parent and an LRP parent is never published, so its split is never predicted: under
    reciprocal terms the two parents' terms differ, and the plan says so in one line; sent anyway, Story refuses
    the link."""
    lap = desk.work("LAP root", rev_share=5)
    lrp = desk.work("LRP root", rev_share=5, royalty_policy="lrp")
    desk.publish(lap)
    desk.publish(lrp)
    blend = desk.work("Blend", parents=[lap, lrp])
    err = refused(desk, blend)
    assert [r.code for r in err.reasons] == ["pil_terms_differ"]
    assert "LAP royalties" in str(err) and "LRP royalties" in str(err) and "\n" not in str(err)
    assert send_directly(desk, [lap, lrp]).error_name == "LicensingModule__LicenseNotCompatibleForDerivative"


def test_non_reciprocal_lap_and_lrp_parents_are_refused_for_their_policies(chain, devnet, tmp_path,
                                                                           monkeypatch) -> None:
    """Terms that are not reciprocal may differ between parents, but Story still links a remix to parents of one
    royalty policy only (LicensingModule__RoyaltyPolicyMismatch): the plan refuses the mix in one line."""
    monkeypatch.setenv("STUDIO_LICENSES_DIR", str(catalogue_with_dead_end(tmp_path)))
    desk = open_desk(tmp_path / "lib", devnet, tmp_path, monkeypatch)
    desk.studio.publish_setup.create_wallet()
    lap = desk.work("LAP once", license_id=DEAD_END_LICENSE, rev_share=5)
    lrp = desk.work("LRP once", license_id=DEAD_END_LICENSE, rev_share=5, royalty_policy="lrp")
    desk.publish(lap)
    desk.publish(lrp)
    blend = desk.work("Blend", parents=[lap, lrp], license_id=DEAD_END_LICENSE)
    err = refused(desk, blend)
    assert [r.code for r in err.reasons] == ["royalty_policy_mismatch"]
    assert "LAP, LRP" in str(err) and "\n" not in str(err)
    assert send_directly(desk, [lap, lrp]).error_name == "LicensingModule__RoyaltyPolicyMismatch"
    forget_wallet(desk)
    desk.studio.close()
