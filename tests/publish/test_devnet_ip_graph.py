"""The devnet's LAP and LRP policies give the figures of Story's IP-graph precompile, as the engine predicts
them: a hand-worked diamond (with a payment pulled into the root's vault), then generated ancestries, each
built on the devnet with one licence per policy and every work's own share set in its licensing config.
Every stack and every ancestor's royalty read back from the chain must equal the engine's and the
independent reference's (tests/royalty/ip_graph_reference.py)."""

from __future__ import annotations

from random import Random

import pytest
from devnet_chain import NO_CONFIG, PCT, commercial_remix

from studio.royalty import lap_stack, lrp_stack, payout, royalty_split
from studio.story.devnet.addresses import PIL_TEMPLATE, ROYALTY_POLICY_LAP, ROYALTY_POLICY_LRP, WIP
from tests.royalty.ip_graph_cases import (
    MAX_PARENTS,
    Case,
    diamond,
    per_parent,
    random_dag,
    several_depths,
    sixteen_parents,
    within_lap_limit,
)
from tests.royalty.ip_graph_reference import HUNDRED_PERCENT, ancestry, lap_royalty, lap_stacks, lrp_royalty

WIP_UNIT = 10**18
POLICIES = {"lap": ("RoyaltyPolicyLAP", ROYALTY_POLICY_LAP), "lrp": ("RoyaltyPolicyLRP", ROYALTY_POLICY_LRP)}


def _build(chain, case: Case, policy: str) -> dict[str, str]:
    """Every work of `case` on the devnet, oldest first, linked to its parents under one licence of `policy`
    whose floor is 1 unit; each parent's percent is its licensing config's share."""
    share = {p: pct for edges in case.parents.values() for p, pct in edges}
    terms = dict(commercial_remix(1, policy=POLICIES[policy][1]), commercialRevShare=1)
    licensing = chain.c("LicensingModule").functions
    ip: dict[str, str] = {}
    terms_id = None
    for node in case.created:
        parents = [p for p, _ in case.parents.get(node, ())]
        if parents:
            ip[node] = chain.register_derivative([ip[p] for p in parents], [terms_id] * len(parents))
        else:
            ip[node], (terms_id,) = chain.register_root(terms)
        if node in share:
            config = dict(NO_CONFIG, isSet=True, commercialRevShare=share[node])
            chain.send(licensing.setLicensingConfig(ip[node], PIL_TEMPLATE, terms_id, config))
    return ip


def _compare(chain, case: Case, policy: str) -> None:
    ip = _build(chain, case, policy)
    contract = chain.c(POLICIES[policy][0]).functions
    split = royalty_split(case.work, case.parents, policy)
    engine = {a.id: a.royalty for a in split.ancestors}
    reference = lap_royalty if policy == "lap" else lrp_royalty
    expected = {a: reference(case.work, a, case.parents) for a in ancestry(case.work, case.parents)}
    chain_says = {a: contract.getPolicyRoyalty(ip[case.work], ip[a]).call() for a in expected}
    assert chain_says == engine == expected, case.name
    stack_of = lap_stack if policy == "lap" else lrp_stack
    stacks = {n: contract.getPolicyRoyaltyStack(ip[n]).call() for n in case.created}
    assert stacks == {n: stack_of(n, case.parents) for n in case.created}, case.name
    assert stacks[case.work] == split.stack


def test_diamond_on_the_devnet_pays_the_root_once_per_path(chain) -> None:
    """The diamond of docs/story-royalty-rules.md with one share per parent, as licences give: R 5%, C 10%,
    D1 3%, D2 7%. LAP: W's stack is (15% + 3%) + (15% + 7%) = 40%; R gets 5% twice, C 10% twice."""
    case = diamond(5 * PCT, 10 * PCT, 10 * PCT, 3 * PCT, 7 * PCT)
    ip = _build(chain, case, "lap")
    lap = chain.c("RoyaltyPolicyLAP").functions
    w = ip["W"]
    assert lap.getPolicyRoyaltyStack(w).call() == 40 * PCT
    assert {n: lap.getPolicyRoyalty(w, ip[n]).call() for n in ("D1", "D2", "C", "R")} == {
        "D1": 3 * PCT, "D2": 7 * PCT, "C": 20 * PCT, "R": 10 * PCT,
    }
    split = royalty_split("W", case.parents, "lap")
    expected = payout(split, 100 * WIP_UNIT)
    chain.pay(w, 100 * WIP_UNIT, payer_ip=ip["R"], sender=chain.alice)
    assert chain.vault_of(w).functions.claimableRevenue(w, WIP).call() == expected.creator == 60 * WIP_UNIT
    chain.send(lap.transferToVault(w, ip["R"], WIP))
    assert chain.vault_of(ip["R"]).functions.claimableRevenue(ip["R"], WIP).call() == expected.to("R") == 10 * WIP_UNIT


def test_diamond_on_the_devnet_under_lrp(chain) -> None:
    case = diamond(5 * PCT, 10 * PCT, 10 * PCT, 3 * PCT, 7 * PCT)
    _compare(chain, case, "lrp")
    _compare(chain, per_parent(case, Random(7), HUNDRED_PERCENT // 2 - 1), "lrp")


def _generated(policy: str) -> list[Case]:
    rnd = Random(1315 if policy == "lap" else 1316)
    ceiling = HUNDRED_PERCENT // MAX_PARENTS - 1
    cases = [several_depths(rnd, ceiling), random_dag(rnd, 8, ceiling)]
    if policy == "lap":
        cases.append(sixteen_parents(rnd, ceiling))
    cases = [per_parent(c, rnd, ceiling) for c in cases]
    if policy == "lap":
        cases = [within_lap_limit(c) for c in cases]
        cases = [per_parent_floor(c) for c in cases]
    return cases


def per_parent_floor(case: Case) -> Case:
    """Scaling may round a share to 0, which a licensing config cannot hold (0 means the licence's 1 unit)."""
    parents = {n: [(p, max(1, pct)) for p, pct in edges] for n, edges in case.parents.items()}
    fixed = Case(case.name, case.created, parents)
    assert lap_stacks(fixed.created, fixed.parents)[fixed.work] <= HUNDRED_PERCENT
    return fixed


@pytest.mark.parametrize("policy", ["lap", "lrp"])
def test_generated_ancestries_on_the_devnet_match_the_precompile(chain, policy: str) -> None:
    cases = _generated(policy)
    assert any(len(edges) == MAX_PARENTS for c in cases for edges in c.parents.values()) == (policy == "lap")
    for case in cases:
        _compare(chain, case, policy)


def test_publishing_a_diamond_predicts_and_reads_back_the_root_paid_per_path(desk, chain) -> None:
    """The publish path end to end: Root (5%) ← Middle (10%) ← Left (12%), Right (20%) ← Top. The plan's split,
    the stored prediction and the chain's read-back all pay Root 5% twice and Middle 10% twice; Top's stack is
    (15% + 12%) + (15% + 20%) = 62%."""
    root = desk.work("Root", rev_share=5)
    middle = desk.work("Middle", parents=[root], override=10)
    left = desk.work("Left", parents=[middle], override=12)
    right = desk.work("Right", parents=[middle], override=20)
    top = desk.work("Top", parents=[left, right])
    shown = desk.studio.royalty(top.id, "lap")
    assert shown.stack == 62 * PCT
    assert {a.id: a.royalty for a in shown.ancestors} == {
        left.id: 12 * PCT, right.id: 20 * PCT, middle.id: 20 * PCT, root.id: 10 * PCT,
    }
    results = desk.publish(top)
    final = results[-1].publication
    assert final.work_id == top.id
    assert final.prediction["royalty_stack"] == 62 * PCT
    assert final.readback["agrees"], final.readback["differences"]
    assert final.readback["royalty_stack"] == 62 * PCT
    read = {a["ip_id"]: a["royalty"] for a in final.readback["ancestors"]}
    assert read == {desk.ip(left): 12 * PCT, desk.ip(right): 20 * PCT, desk.ip(middle): 20 * PCT,
                    desk.ip(root): 10 * PCT}


def test_the_split_as_on_the_network_pays_nothing_under_the_policy_the_links_do_not_use(desk, chain) -> None:
    """`studio royalty --network` reads as Story's IP graph: a diamond linked under LAP has every LAP figure, and
    under LRP the graph holds no edge for it, so the stack and every ancestor's royalty read 0 there — as the
    devnet's LRP policy returns for the same work. The library's own view still shows what LRP would pay."""
    root = desk.work("Root", rev_share=5)
    left = desk.work("Left", parents=[root])
    right = desk.work("Right", parents=[root], override=8)
    top = desk.work("Top", parents=[left, right])
    desk.publish(top)
    ips = {w.id: desk.ip(w) for w in (root, left, right, top)}
    for policy, (name, _) in POLICIES.items():
        contract = chain.c(name).functions
        split = desk.studio.publish_planner.royalty_on(top.id, "devnet", policy)
        assert split.stack == contract.getPolicyRoyaltyStack(ips[top.id]).call()
        assert {a.id: a.royalty for a in split.ancestors} == {
            a.id: contract.getPolicyRoyalty(ips[top.id], ips[a.id]).call() for a in split.ancestors}
        assert {a.id for a in split.ancestors} == {root.id, left.id, right.id}
    lap = desk.studio.publish_planner.royalty_on(top.id, "devnet", "lap")
    assert lap.stack == (5 + 5) * PCT + (5 + 8) * PCT and lap.share_of(root.id) == 10 * PCT
    lrp = desk.studio.publish_planner.royalty_on(top.id, "devnet", "lrp")
    assert lrp.stack == 0 and lrp.creator_share == HUNDRED_PERCENT
    assert all(a.royalty == 0 and a.share == 0 for a in lrp.ancestors)
    assert desk.studio.royalty(top.id, "lrp").stack == 13 * PCT  # what-if: the library's view under LRP
