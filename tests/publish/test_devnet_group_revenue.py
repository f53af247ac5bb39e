"""A training set's revenue reaching its data's creators on the devnet: members owned by different accounts
join a group under LRP Commercial Remix terms, a model is a remix of the group and an image a remix of the
model; a tip paid to the image is predicted by the royalty engine (the image's LRP split, the group's due,
the even split) and must be exactly what each member's vault receives after `collect_for_members` and what
its owner then claims. Uses anvil's public dev accounts, which exist only on local chains."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from devnet_chain import NO_CONFIG, PCT, ZERO, Chain, commercial_remix
from eth_account import Account

from studio.cli.main import cli
from studio.core.types import Origin, Relation, Terms, WorkKind, percent_to_units
from studio.lineage.graph import LineageGraph, ParentLink
from studio.royalty import (
    GROUP_SCALE,
    EvenSplitPool,
    group_due,
    member_payouts,
    member_share,
    payout,
    royalty_split,
)
from studio.secrets import Secret
from studio.services.publishing.revenue import GroupShare
from studio.store.works import NewWork
from studio.story.chain import ChainClient
from studio.story.devnet.addresses import EVEN_SPLIT_GROUP_POOL, ROYALTY_POLICY_LRP, WIP
from studio.story.errors import PublishError
from studio.story.group_revenue import (
    collect_for_members,
    group_holdings,
    group_pending,
    member_claimable,
)
from studio.story.networks import NETWORKS
from studio.story.royalty_payments import claim

POOL_CONFIG = {**NO_CONFIG, "isSet": True, "expectGroupRewardPool": EVEN_SPLIT_GROUP_POOL}
DEV_MNEMONIC = "test test test test test test test test test test test junk"  # anvil's public default
SEEDS = (43, 94, 1315)  # one member with a fee; five members, a fee and a carried wei; four and a carried wei


def dev_keys(count: int) -> list[Secret]:
    Account.enable_unaudited_hdwallet_features()
    return [Secret("0x" + Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key.hex())
            for i in range(count)]


@pytest.fixture
def app_chain(devnet, chain: Chain):
    status = devnet.status()
    assert status.rpc_url is not None
    client = ChainClient(NETWORKS["devnet"], status.rpc_url)
    yield client
    client.close()


@pytest.fixture
def keys(chain: Chain) -> list[Secret]:
    found = dev_keys(8)
    assert [Account.from_key(k.reveal()).address for k in found] == chain.accounts[:8]
    return found


@dataclass(frozen=True)
class Shape:
    terms_id: int
    units: int
    members: list[str]
    owners: list[int]  # each member's owner, as an index into the dev accounts
    group: str
    model: str
    image: str


def build(chain: Chain, app_chain: ChainClient, keys: list[Secret], units: int, owners: list[int]) -> Shape:
    """Members registered by their owners with the group's terms and the pool's config, a group of them made
    by account 0 through the chain client, a model remixing the group and an image remixing the model."""
    terms = {**commercial_remix(0, policy=ROYALTY_POLICY_LRP), "commercialRevShare": units}
    registered = [chain.register_root(terms, owner=chain.accounts[o], configs=[POOL_CONFIG]) for o in owners]
    members, terms_id = [ip for ip, _ in registered], registered[0][1][0]
    assert {ids[0] for _, ids in registered} == {terms_id}
    groups = app_chain.groups
    group = groups.registered(app_chain.transact(keys[0], groups.register(terms_id, NO_CONFIG, members)))
    model = chain.register_derivative([group], [terms_id], owner=chain.accounts[6])
    image = chain.register_derivative([model], [terms_id], owner=chain.accounts[7])
    return Shape(terms_id, units, members, owners, group, model, image)


def group_units(shape: Shape, app_chain: ChainClient) -> int:
    """The group's share of the image's revenue by the royalty engine, checked against the IP graph."""
    links = {shape.image: [(shape.model, shape.units)], shape.model: [(shape.group, shape.units)]}
    split = royalty_split(shape.image, links, "lrp")
    share = next(a for a in split.ancestors if a.id == shape.group)
    assert share.own_stack == 0
    assert share.royalty == app_chain.contracts.policy_royalty("lrp", shape.image, shape.group)
    return share.royalty


def set_fee(chain: Chain, units: int) -> None:
    chain.send(chain.c("RoyaltyModule").functions.setRoyaltyFeePercent(units), chain.alice)


def claim_and_check(chain: Chain, app_chain: ChainClient, keys: list[Secret], shape: Shape,
                    expected: dict[str, int]) -> None:
    """Each member's owner claims its vault with the studio's `claim`: exactly the predicted WIP, unwrapped
    into the owner's wallet (its balance moves by the claim less the gas its transactions paid)."""
    for member, owner in zip(shape.members, shape.owners, strict=True):
        assert app_chain.contracts.claimable(member, member) == expected[member]
        if not expected[member]:
            continue
        wallet = chain.accounts[owner]
        before = chain.w3.eth.get_balance(wallet)
        result = claim(app_chain, keys[owner], member)
        assert result["claimed"] == [(WIP, expected[member])]
        assert result["moved_from"] == []  # members have no remixes of their own: all came from the pool
        assert app_chain.contracts.claimable(member, member) == 0
        assert chain.wip_balance(member) == 0
        gas = 0
        for tx in result["tx_hashes"]:
            receipt = chain.w3.eth.get_transaction_receipt(tx)
            assert receipt["from"] == wallet
            gas += receipt["gasUsed"] * receipt["effectiveGasPrice"]
        assert chain.w3.eth.get_balance(wallet) - before == expected[member] - gas


def test_a_tip_to_an_image_reaches_each_data_creator_to_the_wei(chain: Chain, app_chain: ChainClient,
                                                                keys: list[Secret]) -> None:
    shape = build(chain, app_chain, keys, 10 * PCT, owners=[1, 2, 3])
    units = group_units(shape, app_chain)
    assert units == PCT  # 10% of the model's 10%
    tip = 1_000_000_000_000_000_007  # odd, so that every rounding shows
    chain.pay(shape.image, tip, ZERO, sender=chain.accounts[5])

    due = group_due(tip, units)
    assert due == tip // 100
    assert due == payout(royalty_split(shape.image, {shape.image: [(shape.model, shape.units)],
                                                     shape.model: [(shape.group, shape.units)]}, "lrp"),
                         tip).to(shape.group)
    (pending,) = group_pending(app_chain, shape.group)
    assert (pending.descendant.lower(), pending.policy, pending.amount) == (shape.image.lower(), "lrp", due)
    predicted = member_payouts(due, shape.members)
    assert set(predicted.values()) == {due // 3} and due % 3  # the pool keeps a remainder
    assert member_claimable(app_chain, shape.group, shape.members) == predicted

    pool_before = chain.wip_balance(EVEN_SPLIT_GROUP_POOL)
    sent = collect_for_members(app_chain, keys[0], shape.group, shape.members)
    assert [t.label for t in sent] == ["moving a remix's royalties into its ancestor's vault",
                                       "collecting the group's royalties for its members"]
    assert chain.wip_balance(EVEN_SPLIT_GROUP_POOL) - pool_before == due - 3 * (due // 3)
    assert group_pending(app_chain, shape.group) == []
    assert member_claimable(app_chain, shape.group, shape.members) == dict.fromkeys(shape.members, 0)
    assert collect_for_members(app_chain, keys[0], shape.group, shape.members) == []  # nothing left to move
    claim_and_check(chain, app_chain, keys, shape, predicted)


def test_holdings_count_a_tip_to_the_group_itself_and_pay_only_members(chain: Chain, app_chain: ChainClient,
                                                                       keys: list[Secret]) -> None:
    shape = build(chain, app_chain, keys, 5 * PCT, owners=[1, 2])
    chain.pay(shape.group, 1001, ZERO)  # straight into the group's vault: nothing waits in the policies
    chain.pay(shape.image, 10**15 + 3, ZERO)
    outsider = chain.register_root(commercial_remix(5, policy=ROYALTY_POLICY_LRP), configs=[POOL_CONFIG])[0]
    holdings = group_holdings(app_chain, shape.group, [*shape.members, outsider])
    due = group_due(10**15 + 3, group_units(shape, app_chain))
    assert (holdings.members, holdings.in_vault, holdings.uncollected) == (2, 1001, 1001 + due)
    assert [d.amount for d in holdings.pending] == [due]
    assert [(h.is_member, h.in_pool, h.share) for h in holdings.holdings] == [
        (True, 0, (1001 + due) // 2), (True, 0, (1001 + due) // 2), (False, 0, 0)]
    with pytest.raises(PublishError, match="not a group"):
        group_holdings(app_chain, shape.members[0], shape.members)
    with pytest.raises(PublishError, match="no group members"):
        collect_for_members(app_chain, keys[0], shape.group, [])

    # Collect for the first member only: the pool pays it, and keeps the other's share until it is asked.
    collect_for_members(app_chain, keys[0], shape.group, shape.members[:1])
    after = group_holdings(app_chain, shape.group, [*shape.members, outsider])
    assert after.uncollected == 0
    assert [(h.in_pool, h.receives) for h in after.holdings] == [(0, 0), ((1001 + due) // 2,) * 2, (0, 0)]
    assert app_chain.contracts.claimable(shape.members[0], shape.members[0]) == (1001 + due) // 2
    # Only the pool's debt is paid now: nothing moves through the policies.
    sent = collect_for_members(app_chain, keys[0], shape.group, shape.members)
    assert [t.label for t in sent] == ["collecting the group's royalties for its members"]
    claim_and_check(chain, app_chain, keys, shape, dict.fromkeys(shape.members, (1001 + due) // 2))


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_groups_pay_what_the_engine_predicts(chain: Chain, app_chain: ChainClient,
                                                       keys: list[Secret], seed: int) -> None:
    """1-5 members with random owners, a rev share of 1-30% in odd units, a treasury fee of 0-5%, and two odd
    tips with a collection between, so that the pool's carried fractions show: the engine's pool follows
    the chain to the wei, and the prediction before each collection is at most one wei short."""
    rng = random.Random(seed)
    owners = [rng.randint(1, 5) for _ in range(rng.randint(1, 5))]
    units = rng.randint(1 * PCT, 30 * PCT)
    fee = rng.choice([0, rng.randint(1, 5 * PCT)])
    shape = build(chain, app_chain, keys, units, owners)
    share_units = group_units(shape, app_chain)
    assert share_units == units * units // 10**8
    set_fee(chain, fee)
    pool = EvenSplitPool()
    for member in shape.members:
        pool.add(member)
    received = dict.fromkeys(shape.members, 0)
    for _ in range(2):
        tip = rng.randint(10**14, 10**19) | 1
        chain.pay(shape.image, tip, ZERO, sender=chain.accounts[5])
        due = group_due(tip, share_units, fee)
        assert [d.amount for d in group_pending(app_chain, shape.group)] == [due]
        predicted = member_claimable(app_chain, shape.group, shape.members)
        if pool.acc % GROUP_SCALE == 0:  # the pool holds no fraction of a wei: the prediction is exact
            assert predicted == member_payouts(due, shape.members)
        pool.deposit(due)
        paid = pool.pay(shape.members)
        assert all(0 <= paid[m] - predicted[m] <= 1 for m in shape.members), (paid, predicted)
        collect_for_members(app_chain, keys[0], shape.group, shape.members)
        for member in shape.members:
            received[member] += paid[member]
            assert app_chain.contracts.claimable(member, member) == received[member]
    assert group_pending(app_chain, shape.group) == []
    claim_and_check(chain, app_chain, keys, shape, received)


def run_cli(desk, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--library", str(desk.studio.library.root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


def test_the_studio_shows_and_claims_what_a_group_holds_for_a_member_work(desk, chain: Chain,
                                                                         app_chain: ChainClient,
                                                                         keys: list[Secret]) -> None:
    """A work the studio published joins a training set's group (recorded in the journal as the group
    publisher records it); `revenue show` lists what the group holds for it, and `claim` collects it from
    the group and claims it into the studio's wallet."""
    cat = desk.work("Cat", rev_share=10, royalty_policy="lrp")
    desk.publish(cat)
    ip = desk.ip(cat)
    (terms_id,) = desk.studio.journal.confirmed(cat.id, "devnet").license_terms_ids
    net = desk.studio.publish_setup.network("devnet")
    pool_offer = app_chain.contracts.set_licensing_config(ip, terms_id, POOL_CONFIG)
    app_chain.transact(desk.studio.publish_setup.key(net), pool_offer)
    terms = app_chain.contracts.license_terms(terms_id)
    other, ids = chain.register_root(terms, owner=chain.bob, configs=[POOL_CONFIG])
    assert ids == [terms_id]
    groups = app_chain.groups
    group = groups.registered(app_chain.transact(keys[0], groups.register(terms_id, NO_CONFIG, [ip, other])))
    training_set = desk.studio.collections.create("Cats", work_refs=[cat.id])
    desk.studio.library.group_members.record_added("devnet", training_set.id, group, [(cat.id, ip)])
    model = chain.register_derivative([group], [terms_id], owner=chain.accounts[6])
    image = chain.register_derivative([model], [terms_id], owner=chain.accounts[7])
    tip = 3 * 10**18 + 1
    chain.pay(image, tip, ZERO, sender=chain.accounts[5])
    share = member_share(group_due(tip, app_chain.contracts.policy_royalty("lrp", image, group)), 2)
    assert share == (tip // 100) // 2

    own, held = desk.studio.revenue.revenue(cat.id, "devnet")
    assert not isinstance(own, GroupShare) and own.total == 0
    assert isinstance(held, GroupShare)
    assert (held.work_id, held.group_work_id, held.group_ip) == (cat.id, training_set.id, group)
    assert (held.in_vault, held.in_pool, held.share, held.total) == (0, 0, share, share)
    shown = json.loads(run_cli(desk, "revenue", "show", cat.id, "--json"))
    assert [line.get("group_id") for line in shown] == [None, training_set.id]
    assert shown[1]["claimable_wei"] == share and shown[1]["uncollected_share_wei"] == share
    table = run_cli(desk, "revenue", "show", cat.id)
    assert "in group" in table and training_set.id in table and group in table

    result = desk.studio.revenue.claim(cat.id, "devnet")
    (collected,) = result["from_groups"]
    assert (collected["group_id"], collected["group_ip"], len(collected["tx_hashes"])) == (training_set.id, group, 2)
    assert result["claimed"] == [(WIP, share)]
    assert app_chain.contracts.claimable(other, other) == 0  # the pool paid only the member that was asked for
    assert app_chain.groups.claimable_reward(group, [other]) == [share]
    _, after = desk.studio.revenue.revenue(cat.id, "devnet")
    assert (after.in_pool, after.share, after.total) == (0, 0, 0)


def test_a_tip_to_an_image_made_with_a_published_lora_reaches_the_training_sets_creators(desk, chain: Chain) -> None:
    """All through the studio: two works published, a training set of them published as a group, a LoRA
    trained on it and an image made with the LoRA published, a tip paid to the image; each member's revenue
    shows the group's share the royalty engine predicted for the image, and claiming pays exactly it."""
    members = [desk.work(f"Sketch {i}", rev_share=10, royalty_policy="lrp") for i in range(2)]
    for work in members:
        desk.publish(work)
    training_set = desk.studio.collections.create("Sketches", work_refs=[m.id for m in members])
    library = desk.studio.library
    with library.db.atomic():
        lora = library.works.insert(NewWork(
            kind=WorkKind.lora, sha256=uuid.uuid4().hex * 2, title="Sketch style",
            creator="Test Creator", origin=Origin.generated, format="safetensors",
            terms=Terms("pil-commercial-remix", rev_share=percent_to_units(10), royalty_policy="lrp"),
        ))
        LineageGraph(library.edges).add_parents(lora.id, [ParentLink(training_set.id, Relation.trained_on)])
    desk.publish(library.works.get(lora.id))
    image = desk.work("Made with the style", parents=[library.works.get(lora.id)], relation=Relation.styled_with)
    desk.publish(image)

    # The royalty engine's split of the image, as its publication predicted it: the group's share of it.
    predicted = desk.studio.journal.confirmed(image.id, "devnet").prediction
    (group,) = [a for a in predicted["ancestors"] if a["work_id"] == training_set.id]
    group_ip = desk.studio.journal.confirmed(training_set.id, "devnet").ip_id
    assert group["ip_id"] == group_ip and group["royalty"] == PCT  # 10% of the LoRA's 10%
    fee = chain.c("RoyaltyModule").functions.royaltyFeePercent().call()
    tip = 2 * 10**18 + 3
    desk.studio.revenue.pay(image.id, tip, "devnet")
    share = member_payouts(group_due(tip, group["royalty"], fee), [m.id for m in members])
    for member in members:
        lines = desk.studio.revenue.revenue(member.id, "devnet")
        held = [c for c in lines if isinstance(c, GroupShare)]
        assert [(c.group_work_id, c.total) for c in held] == [(training_set.id, share[member.id])]
    result = desk.studio.revenue.claim(members[0].id, "devnet")
    assert result["claimed"] == [(WIP, share[members[0].id])]
    (second,) = [c for c in desk.studio.revenue.revenue(members[1].id, "devnet") if isinstance(c, GroupShare)]
    assert (second.in_pool, second.share, second.total) == (share[members[1].id], 0, share[members[1].id])
