"""Training sets and models on the devnet through the studio: a collection becomes a Story group whose members are
the works of the set that are on Story, a LoRA trained on it becomes a derivative of that group, and an image made
with the LoRA links to it; a kill between the group's transactions never adds a member twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from studio.core.types import Origin, Relation, Terms, Work, WorkKind, percent_to_units
from studio.lineage.graph import LineageGraph, ParentLink
from studio.services.publishing import PublishOptions
from studio.store.works import NewWork
from studio.story.chain import ChainClient
from studio.story.errors import PublishRefused
from studio.story.networks import NETWORKS
from tests.conftest import REPO


@pytest.fixture
def client(desk):
    chain = ChainClient(NETWORKS["devnet"], desk.rpc_url)
    yield chain
    chain.close()


def _members(desk, n: int = 2) -> list[Work]:
    works = [desk.work(f"Member {i}", rev_share=10, royalty_policy="lrp") for i in range(n)]
    for work in works:
        desk.publish(work)
    return works


def _lora(desk, collection: Work, *, license_id: str = "pil-commercial-remix") -> Work:
    studio = desk.studio
    terms = Terms(license_id, rev_share=percent_to_units(10), royalty_policy="lrp") \
        if license_id == "pil-commercial-remix" else Terms(license_id)
    with studio.library.db.atomic():
        lora = studio.library.works.insert(NewWork(
            kind=WorkKind.lora, sha256=uuid.uuid4().hex * 2, title="My Style", creator="Test Creator",
            origin=Origin.generated, terms=terms, format="safetensors",
        ))
        LineageGraph(studio.library.edges).add_parents(lora.id, [ParentLink(collection.id, Relation.trained_on)])
    return studio.library.works.get(lora.id)


def _metadata(desk, pub) -> dict:
    storage = desk.studio.publish_setup.storage(desk.studio.publish_setup.network("devnet"))
    return json.loads(storage.get(pub.metadata_uri))


def test_a_training_set_publishes_as_a_group_of_its_members_on_story(desk, client) -> None:
    members = _members(desk)
    outsider = desk.work("Not on Story")
    collection = desk.studio.collections.create("My set", work_refs=[*(m.id for m in members), outsider.id])
    plan = desk.studio.publish_planner.plan(collection.id, PublishOptions(network="devnet"))
    assert {r.code for r in plan.notes} >= {"group_terms_from_members", "group_member_joins", "group_members_credited"}
    (result,) = desk.publish(collection)
    pub = result.publication
    assert pub.state == "confirmed" and pub.prediction["kind"] == "group"
    assert client.groups.is_group(pub.ip_id)
    on_chain = {m.lower() for m in client.groups.members(pub.ip_id)}
    assert on_chain == {desk.ip(m).lower() for m in members}
    assert client.contracts.ip_metadata(pub.ip_id)[0] == pub.metadata_uri
    meta = _metadata(desk, pub)
    credited = {m["workId"]: m for m in meta["remixStudio"]["members"]}
    assert set(credited) == {*(m.id for m in members), outsider.id}
    assert "ipId" not in credited[outsider.id] and credited[members[0].id]["ipId"] == desk.ip(members[0])
    rows = desk.studio.library.group_members.members_of(collection.id, "devnet")
    assert {r.member_work_id for r in rows} == {m.id for m in members}
    assert pub.readback["agrees"], pub.readback["differences"]

    # Publishing again adds only members that reached Story since: here none, so nothing is added.
    (again,) = desk.publish(collection)
    assert not [t for t in again.transactions if "adding" in t.label]
    assert len(client.groups.members(pub.ip_id)) == 2


def test_a_lora_is_a_derivative_of_its_training_sets_group_and_images_made_with_it_link_to_it(desk, client) -> None:
    members = _members(desk)
    collection = desk.studio.collections.create("Style set", work_refs=[m.id for m in members])
    lora = _lora(desk, collection)
    results = desk.publish(lora)  # the training set's group first, then the LoRA
    assert [r.publication.work_id for r in results] == [collection.id, lora.id]
    group, model = (r.publication for r in results)
    assert client.contracts.parents(model.ip_id) == [group.ip_id]
    assert model.readback["agrees"], model.readback["differences"]
    # The LoRA's own split as on the devnet pays its training set's group, as the chain's stack says.
    lora_on_devnet = desk.studio.publish_planner.royalty_on(lora.id, "devnet")
    assert lora_on_devnet.stack == model.readback["royalty_stack"] == 10 * 10**6
    assert {a.id: a.royalty for a in lora_on_devnet.ancestors} == {collection.id: 10 * 10**6}
    meta = _metadata(desk, model)
    assert meta["relationships"] == [{"parentIpId": group.ip_id, "type": "TRAINED_ON"}]
    assert meta["ipType"] == "lora" and meta["mediaHash"] == "0x" + lora.sha256

    image = desk.work("Made with my style", parents=[lora], relation=Relation.styled_with)
    plan = desk.studio.publish_planner.plan(image.id, PublishOptions(network="devnet"))
    assert "model_linked" in {r.code for r in plan.notes}
    (payout,) = plan.data_payouts  # 1 IP to the image: 10% to the LoRA, 10% of that to its training set
    assert payout.group_work_id == collection.id and payout.members == 2
    assert payout.group_due == 10**18 // 100 and payout.per_member == 10**18 // 200
    assert [(c.creator, c.members, c.amount) for c in payout.creators] == [("Test Creator", 2, 10**18 // 100)]
    (published,) = desk.publish(image)
    pub = published.publication
    assert client.contracts.parents(pub.ip_id) == [model.ip_id]
    ancestors = {a["ip_id"] for a in pub.prediction["ancestors"]}
    assert ancestors == {model.ip_id, group.ip_id}  # revenue reaches the group, and through it the members
    assert pub.readback["agrees"], pub.readback["differences"]

    # The split as on the devnet follows the link to the LoRA and its group; the library's own view does not.
    on_devnet = desk.studio.publish_planner.royalty_on(image.id, "devnet")
    assert {a.id: a.royalty for a in on_devnet.ancestors} == {lora.id: 10 * 10**6, collection.id: 10**6}
    assert {a.id for a in desk.studio.royalty(image.id).ancestors} == {lora.id}

    # The report shows data -> model -> image and what the data's creators receive.
    (share,) = desk.studio.review.lineage_report(image.id).data_shares
    assert (share.group_id, share.network, share.members, share.due_wei) == (collection.id, "devnet", 2, 10**16)
    assert [(c.creator, c.works, c.wei) for c in share.creators] == [("Test Creator", 2, 10**16)]
    html = desk.studio.review.render_report(image.id).text
    assert "What the data's creators receive" in html and "0.01 IP" in html


def test_an_image_under_other_terms_credits_the_model_and_says_why(desk) -> None:
    members = _members(desk)
    collection = desk.studio.collections.create("Style set", work_refs=[m.id for m in members])
    lora = _lora(desk, collection, license_id="cc-by-4.0")
    desk.publish(lora)
    image = desk.work("Other terms", parents=[lora], relation=Relation.styled_with, license_id="pil-commercial-remix",
                      rev_share=3)
    plan = desk.studio.publish_planner.plan(image.id, PublishOptions(network="devnet"))
    codes = {r.code for r in plan.notes}
    assert plan.allowed and "model_not_linked_terms" in codes and "model_linked" not in codes
    assert [c.work_id for c in plan.steps[-1].credits] == [lora.id]


def test_an_image_under_the_loras_library_terms_but_not_its_story_terms_is_published_crediting_it(desk,
                                                                                                  client) -> None:
    members = _members(desk)
    collection = desk.studio.collections.create("Style set", work_refs=[m.id for m in members])
    lora = _lora(desk, collection)  # its own license: PIL Commercial Remix 10%, LRP
    desk.publish(lora, rev_share=percent_to_units(20))  # its group, and so the LoRA on Story: 20%
    image = desk.work("Library terms", parents=[lora], relation=Relation.styled_with)
    plan = desk.studio.publish_planner.plan(image.id, PublishOptions(network="devnet"))
    assert "model_not_linked_terms" in {r.code for r in plan.notes}
    step = plan.steps[-1]
    assert not step.parents and [c.work_id for c in step.credits] == [lora.id]
    (published,) = desk.publish(image)
    assert client.contracts.parents(published.publication.ip_id) == []
    assert published.publication.readback["agrees"], published.publication.readback


def test_a_model_cannot_link_to_an_empty_group(desk) -> None:
    lone = desk.work("Never published")
    collection = desk.studio.collections.create("Empty on Story", work_refs=[lone.id])
    lora = _lora(desk, collection)
    with pytest.raises(PublishRefused) as refused:
        desk.publish(lora)
    assert "group_is_empty" in {r.code for r in refused.value.reasons}


def test_a_kill_between_the_groups_transactions_never_adds_a_member_twice(desk, devnet, client) -> None:
    members = _members(desk, 3)
    collection = desk.studio.collections.create("Crash set", work_refs=[m.id for m in members])
    records = desk.studio.library.group_members
    devnet.rpc("evm_setAutomine", [False])
    process = subprocess.Popen(
        [sys.executable, "-m", "studio", "--library", str(desk.studio.library.root), "publish", collection.id,
         "--network", "devnet", "--yes", "--json"],
        cwd=REPO, env=desk.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            sent = records.in_flight("devnet")
            if sent and client.is_known(sent[0].tx_hash or ""):
                break  # the add transaction is journaled and in the node's pool, not mined
            assert process.poll() is None, process.communicate()
            devnet.rpc("evm_mine", [])  # the group's earlier transactions are mined one block at a time
            time.sleep(0.1)
        else:
            raise AssertionError("the add transaction was never journaled as sent")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        devnet.rpc("evm_setAutomine", [True])
    assert process.returncode == -signal.SIGKILL
    devnet.rpc("evm_mine", [])

    desk.studio.publish_runner.status(network_name="devnet")  # the next start settles what the kill left
    assert not records.in_flight("devnet")
    (again,) = desk.publish(collection)
    group = again.publication.ip_id
    chain_members = [m.lower() for m in client.groups.members(group)]
    assert sorted(chain_members) == sorted(desk.ip(m).lower() for m in members)
    assert len(records.members_of(collection.id, "devnet")) == 3
    assert not [t for t in again.transactions if "adding" in t.label]


def test_anothers_member_that_did_not_opt_into_the_pool_is_credited_not_added(desk, client) -> None:
    from studio.secrets import Secret
    from studio.story.devnet.contributors import Contribution, _collection, _metadata, dev_keys, member_terms
    from studio.story.terms import licensing_config, terms_struct
    from studio.story.wallet import address_of

    mine = _members(desk, 1)
    theirs = desk.work("Someone else's", owned=False)
    key = Secret(dev_keys()[5])
    owner = address_of(key)
    storage = desk.studio.publish_setup.storage(desk.studio.publish_setup.network("devnet"))
    refs = _metadata(storage, Contribution(theirs.title, "Other", theirs.sha256), owner)
    struct = terms_struct(member_terms(desk.studio.catalog, percent_to_units(10)))
    # Registered under the group's terms but without offering them to the pool.
    receipt = client.transact(key, client.contracts.register_root(_collection(client, key, "Other"), owner, refs,
                                                                  [(struct, licensing_config(None, 0))]))
    ip = client.contracts.registered(receipt).ip_id
    assert desk.studio.ip_importer.import_ip(ip, "devnet").id == theirs.id  # linked to the library's work
    collection = desk.studio.collections.create("Mixed", work_refs=[mine[0].id, theirs.id])
    plan = desk.studio.publish_planner.plan(collection.id, PublishOptions(network="devnet"))
    assert "group_member_not_opted_in" in {r.code for r in plan.notes}
    assert [m.work_id for m in plan.steps[0].joining] == [mine[0].id]
    (result,) = desk.publish(collection)
    assert [m.lower() for m in client.groups.members(result.publication.ip_id)] == [desk.ip(mine[0]).lower()]
    assert [r.member_work_id for r in desk.studio.library.group_members.members_of(collection.id, "devnet")] \
        == [mine[0].id]


def test_the_data_preview_takes_the_networks_treasury_fee_first(desk, chain) -> None:
    members = _members(desk)
    collection = desk.studio.collections.create("Style set", work_refs=[m.id for m in members])
    lora = _lora(desk, collection)
    desk.publish(lora)
    image = desk.work("Made with my style", parents=[lora], relation=Relation.styled_with)
    chain.send(chain.c("RoyaltyModule").functions.setRoyaltyFeePercent(5 * 10**6), chain.alice)  # 5%
    (payout,) = desk.studio.publish_planner.plan(image.id, PublishOptions(network="devnet")).data_payouts
    assert payout.group_due == (10**18 - 10**18 * 5 // 100) // 100


def test_a_member_that_is_a_remix_passes_its_own_stack_on_in_the_preview_as_on_chain(desk, client) -> None:
    from studio.story.group_revenue import collect_for_members

    root = desk.work("Root member", rev_share=10, royalty_policy="lrp")
    desk.publish(root)
    remix = desk.work("Remix member", parents=[root])
    desk.publish(remix)
    collection = desk.studio.collections.create("Root and remix", work_refs=[root.id, remix.id])
    lora = _lora(desk, collection)
    desk.publish(lora)
    image = desk.work("Made with it", parents=[lora], relation=Relation.styled_with)
    (payout,) = desk.studio.publish_planner.plan(image.id, PublishOptions(network="devnet")).data_payouts
    share = payout.per_member
    assert payout.creators[0].amount == share + share - share * 10 // 100  # the remix keeps 90% of its share
    desk.publish(image)
    net = desk.studio.publish_setup.network("devnet")
    desk.studio.revenue.pay(image.id, 10**18, "devnet")
    group = desk.studio.journal.confirmed(collection.id, "devnet").ip_id
    members = [desk.ip(root), desk.ip(remix)]
    collect_for_members(client, desk.studio.publish_setup.key(net), group, members)
    assert sum(client.contracts.claimable(ip, ip) for ip in members) == payout.creators[0].amount
