"""The gas a training set's plan quotes before signing answers, line by line, the transactions then sent: the
group's terms, the group, its metadata, the wallet's own members offered under the terms and to the pool, and
each batch of members added, on a first publish and when publishing again adds a newcomer. A line the node
estimated is within 15% of the devnet's receipt; a line it could not estimate yet is counted at what Story's own
contracts use for that kind of transaction (checked against their receipts in test_story_gas.py)."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from studio.core.types import percent_to_units
from studio.services.publishing import PublishOptions
from studio.story.devnet.contributors import Contribution, member_terms, publish_contributions
from studio.story.fees import STORY_GAS, story_add_gas
from studio.story.publisher import SentTx
from tests.conftest import image_bytes

TOLERANCE = 0.15
# What GroupPublisher's transactions are labelled (by the chain client) and the plan's line for each kind.
TX_KINDS = {
    "registering the training set's license terms": "terms",
    "registering the training set as a group": "group",
    "describing the training set's group": "metadata",
    "offering a member's work under the training set's terms": "attach",
    "offering a member's work to the group's reward pool": "config",
    "adding works to the training set's group": "add",
}
LINE_KINDS = [
    (re.compile(r"registering the training set's license terms$"), "terms"),
    (re.compile(r"registering the training set as a group$"), "group"),
    (re.compile(r"describing the training set's group$"), "metadata"),
    (re.compile(r"offering (\d+) of your works under the training set's terms$"), "attach"),
    (re.compile(r"offering (\d+) of your works to the group's reward pool$"), "config"),
    (re.compile(r"adding (\d+) members to the group$"), "add"),
]


def _line_kind(label: str) -> tuple[str, int]:
    for pattern, kind in LINE_KINDS:
        found = pattern.match(label)
        if found:
            return kind, int(found.group(1)) if found.groups() else 1
    raise AssertionError(f"a group step's plan has a line no transaction answers: {label!r}")


def assert_lines_match_receipts(plan, sent: list[SentTx]) -> dict[str, tuple[int, int]]:
    """The counts in the lines equal to the transactions sent, each line the node estimated within 15% of its
    receipts, each other line at Story's figure for its kind and count (each add batch on its own); returns
    kind -> (planned, used)."""
    assert plan.fees is not None
    planned: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    by_node: dict[str, bool] = {}
    add_lines = []
    for line in plan.fees.lines:
        kind, count = _line_kind(line.label)
        planned[kind] += line.gas
        counts[kind] += count
        by_node[kind] = line.by_node
        if kind == "add":
            add_lines.append((line.gas, count))
        elif not line.by_node:
            assert line.gas == count * STORY_GAS[kind], (kind, line.gas, count)
    used: dict[str, int] = defaultdict(int)
    sent_counts: dict[str, int] = defaultdict(int)
    for tx in sent:
        kind = TX_KINDS[tx.label]
        used[kind] += tx.gas_used
        sent_counts[kind] += 1
    adds = [tx.gas_used for tx in sent if TX_KINDS[tx.label] == "add"]
    assert set(planned) == set(used), (dict(planned), dict(used))
    for kind in planned:
        if by_node[kind]:
            assert abs(planned[kind] / used[kind] - 1) <= TOLERANCE, (kind, planned[kind], used[kind])
        if kind != "add":
            assert counts[kind] == sent_counts[kind], (kind, counts[kind], sent_counts[kind])
    assert len(add_lines) == len(adds)
    return {kind: (planned[kind], used[kind]) for kind in planned}


def _sent(results) -> list[SentTx]:
    return [t for r in results for t in r.transactions]


def test_a_group_of_own_and_contributed_members_costs_what_its_plan_said(desk) -> None:
    # Two of the wallet's works already carry the group's terms (PIL Commercial Remix 10%, LRP), one another
    # license's terms; a contributor's emoji offers the group's terms to the pool itself.
    same = [desk.work(f"Same terms {i}", rev_share=10, royalty_policy="lrp") for i in range(2)]
    other = desk.work("Other terms", rev_share=5)
    for work in (*same, other):
        desk.publish(work)
    net = desk.studio.publish_setup.network("devnet")
    png = image_bytes(7, (16, 16))
    (contributed,) = publish_contributions(
        desk.studio.publish_setup.client(net), desk.studio.publish_setup.storage(net),
        [Contribution("Grinning face", "Ada", hashlib.sha256(png).hexdigest(), png, "image/png")],
        member_terms(desk.studio.catalog, percent_to_units(10)))
    imported = desk.studio.ip_importer.import_ip(contributed.ip_id, "devnet")
    collection = desk.studio.collections.create("Mixed set", work_refs=[*(w.id for w in (*same, other)),
                                                                        imported.id])
    plan = desk.studio.publish_planner.plan(collection.id, PublishOptions(network="devnet"))
    assert plan.allowed, plan.refusal_text()
    assert plan.fees is not None
    labels = [line.label for line in plan.fees.lines]
    assert labels == ["registering the training set as a group", "describing the training set's group",
                      "offering 1 of your works under the training set's terms",
                      "offering 3 of your works to the group's reward pool", "adding 4 members to the group"]
    assert plan.fees.lines[0].by_node  # the group's terms exist already: the node runs the registration
    sent = _sent(desk.studio.publish_runner.execute(plan))
    compared = assert_lines_match_receipts(plan, sent)
    assert compared["add"][0] == story_add_gas(4, first=True)
    assert len(desk.studio.publish_setup.client(net).groups.members(desk.ip(collection))) == 4


def test_new_terms_a_group_and_a_newcomer_cost_what_their_plans_said(desk) -> None:
    members = [desk.work(f"Member {i}", rev_share=5) for i in range(2)]
    for work in members:
        desk.publish(work)
    collection = desk.studio.collections.create("New terms", work_refs=[w.id for w in members])
    options = PublishOptions(network="devnet", rev_share=percent_to_units(17))  # terms no test registered
    plan = desk.studio.publish_planner.plan(collection.id, options)
    assert plan.fees is not None
    terms, group, *_ = plan.fees.lines
    assert terms.by_node and not group.by_node and group.gas == STORY_GAS["group"]
    compared = assert_lines_match_receipts(plan, _sent(desk.studio.publish_runner.execute(plan)))
    assert set(compared) == {"terms", "group", "metadata", "attach", "config", "add"}

    # Publishing again once a newcomer is on Story: only the newcomer is offered and added, to a group that
    # holds members already (a later add's fixed part), with no registration and no metadata.
    newcomer = desk.work("Newcomer", rev_share=17, royalty_policy="lrp")  # carries the group's terms itself
    desk.publish(newcomer)
    desk.studio.collections.add(collection.id, [newcomer.id])
    again = desk.studio.publish_planner.plan(collection.id, options)
    assert again.fees is not None
    assert [line.label for line in again.fees.lines] == ["offering 1 of your works to the group's reward pool",
                                                         "adding 1 members to the group"]
    assert again.fees.lines[-1].gas == story_add_gas(1, first=False)
    sent = _sent(desk.studio.publish_runner.execute(again))
    assert [TX_KINDS[t.label] for t in sent] == ["config", "add"]
    assert_lines_match_receipts(again, sent)
