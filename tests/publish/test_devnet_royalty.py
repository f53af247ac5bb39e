"""Royalties on the devnet (§3): vaults and royalty tokens, fees through workflows, payments, the pull of
ancestors' shares, claims, the treasury fee, and the worked example of §3.6 under LAP and under LRP."""

from __future__ import annotations

import pytest
from devnet_chain import NO_CONFIG, PCT, commercial_remix

from studio.story.devnet.addresses import (
    DERIVATIVE_WORKFLOWS,
    PIL_TEMPLATE,
    ROYALTY_MODULE,
    ROYALTY_POLICY_LAP,
    ROYALTY_POLICY_LRP,
    WIP,
)

WIP_UNIT = 10**18


def test_vault_and_royalty_tokens_are_deployed_lazily(chain) -> None:
    root, (terms_id,) = chain.register_root(commercial_remix(10))
    module = chain.c("RoyaltyModule")
    assert module.functions.ipRoyaltyVaults(root).call() == "0x" + "0" * 40
    chain.register_derivative([root], [terms_id])
    vault = chain.vault_of(root)
    assert vault.functions.name().call() == "Royalty Token"
    assert vault.functions.symbol().call() == "RT"
    assert vault.functions.decimals().call() == 6
    assert vault.functions.totalSupply().call() == 100_000_000
    assert vault.functions.balanceOf(root).call() == 100_000_000
    assert vault.functions.ipId().call() == root


def test_minting_fee_paid_through_the_workflow_with_wip_approval(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10, fee=100 * WIP_UNIT))
    without_approval = chain.derivative_fn([parent], [terms_id], owner=chain.bob)
    assert chain.revert_name(without_approval, chain.bob) == "ERC20InsufficientAllowance"
    chain.wrap_and_approve(chain.bob, 100 * WIP_UNIT, DERIVATIVE_WORKFLOWS)
    receipt = chain.send(chain.derivative_fn([parent], [terms_id], max_fee=100 * WIP_UNIT, owner=chain.bob), chain.bob)
    (paid,) = chain.events(receipt, "RoyaltyModule", "LicenseMintingFeePaid")
    assert paid["receiverIpId"] == parent and paid["payerAddress"] == DERIVATIVE_WORKFLOWS
    assert paid["amount"] == paid["amountAfterFee"] == 100 * WIP_UNIT
    assert chain.wip_balance(chain.bob) == 0
    assert chain.wip_balance(DERIVATIVE_WORKFLOWS) == 0
    assert chain.c("WIP").functions.allowance(DERIVATIVE_WORKFLOWS, ROYALTY_MODULE).call() == 0
    vault = chain.vault_of(parent)
    assert vault.functions.claimableRevenue(parent, WIP).call() == 100 * WIP_UNIT


def test_pay_transfer_to_vault_and_claim(chain) -> None:
    root, (terms_id,) = chain.register_root(commercial_remix(20))
    child = chain.register_derivative([root], [terms_id], owner=chain.bob)
    receipt = chain.pay(child, 50 * WIP_UNIT, payer_ip=root, sender=chain.carol)
    (paid,) = chain.events(receipt, "RoyaltyModule", "RoyaltyPaid")
    assert paid["receiverIpId"] == child and paid["payerIpId"] == root and paid["sender"] == chain.carol
    assert chain.wip_balance(ROYALTY_POLICY_LAP) == 10 * WIP_UNIT
    assert chain.vault_of(child).functions.claimableRevenue(child, WIP).call() == 40 * WIP_UNIT

    lap = chain.c("RoyaltyPolicyLAP")
    assert lap.functions.getPolicyRoyalty(child, root).call() == 20 * PCT
    receipt = chain.send(lap.functions.transferToVault(child, root, WIP), chain.carol)
    (moved,) = chain.events(receipt, "RoyaltyPolicyLAP", "RevenueTransferredToVault")
    assert moved == {"ipId": child, "ancestorIpId": root, "token": WIP, "amount": 10 * WIP_UNIT}
    assert (
        chain.revert_name(lap.functions.transferToVault(child, root, WIP)) == "RoyaltyPolicyLAP__ZeroClaimableRoyalty"
    )

    root_vault = chain.vault_of(root)
    assert root_vault.functions.claimableRevenue(root, WIP).call() == 10 * WIP_UNIT
    receipt = chain.send(root_vault.functions.claimRevenueOnBehalf(root, WIP), chain.carol)
    (claimed,) = chain.events(receipt, "IpRoyaltyVault", "RevenueTokenClaimed")
    assert claimed == {"claimer": root, "token": WIP, "amount": 10 * WIP_UNIT}
    assert chain.wip_balance(root) == 10 * WIP_UNIT
    assert root_vault.functions.claimableRevenue(root, WIP).call() == 0
    assert (
        chain.revert_name(root_vault.functions.claimRevenueOnBehalf(root, WIP)) == "IpRoyaltyVault__NoClaimableTokens"
    )

    # The owner moves the claimed WIP out of the IP account.
    wip = chain.c("WIP")
    transfer = wip.encode_abi("transfer", [chain.alice, 10 * WIP_UNIT])
    account = chain.c("IPAccountImpl", root)
    assert chain.revert_name(account.functions.execute(WIP, 0, transfer), chain.bob) == "IPAccount__InvalidSigner"
    chain.send(account.functions.execute(WIP, 0, transfer), chain.alice)
    assert chain.wip_balance(chain.alice) == 10 * WIP_UNIT


def test_royalty_tokens_carry_their_revenue(chain) -> None:
    root, (terms_id,) = chain.register_root(commercial_remix(10))
    chain.register_derivative([root], [terms_id])
    chain.pay(root, 100 * WIP_UNIT, payer_ip=root)
    vault = chain.vault_of(root)
    half = vault.encode_abi("transfer", [chain.bob, 50_000_000])
    chain.send(chain.c("IPAccountImpl", root).functions.execute(vault.address, 0, half))
    # Revenue earned before the transfer stays with the account; later revenue is split by holdings.
    assert vault.functions.claimableRevenue(root, WIP).call() == 100 * WIP_UNIT
    assert vault.functions.claimableRevenue(chain.bob, WIP).call() == 0
    chain.pay(root, 20 * WIP_UNIT, payer_ip=root)
    assert vault.functions.claimableRevenue(root, WIP).call() == 110 * WIP_UNIT
    assert vault.functions.claimableRevenue(chain.bob, WIP).call() == 10 * WIP_UNIT


def test_treasury_fee_is_taken_first(chain) -> None:
    root, (terms_id,) = chain.register_root(commercial_remix(10))
    child = chain.register_derivative([root], [terms_id])
    module = chain.c("RoyaltyModule")
    assert chain.revert_name(module.functions.setRoyaltyFeePercent(5 * PCT), chain.bob) == "Admin__CallerNotAdmin"
    chain.send(module.functions.setRoyaltyFeePercent(5 * PCT), chain.alice)
    treasury = module.functions.treasury().call()
    before = chain.wip_balance(treasury)
    receipt = chain.pay(child, 100 * WIP_UNIT, payer_ip=root, sender=chain.bob)
    assert chain.events(receipt, "RoyaltyModule", "RoyaltyPaid")[0]["amountAfterFee"] == 95 * WIP_UNIT
    assert chain.wip_balance(treasury) - before == 5 * WIP_UNIT
    assert chain.wip_balance(ROYALTY_POLICY_LAP) == 9_500_000_000_000_000_000
    assert chain.vault_of(child).functions.claimableRevenue(child, WIP).call() == 85_500_000_000_000_000_000
    tiny = module.functions.payRoyaltyOnBehalf(child, root, WIP, 10)
    chain.wrap_and_approve(chain.bob, 10, ROYALTY_MODULE)
    assert chain.revert_name(tiny, chain.bob) == "RoyaltyModule__PaymentAmountIsTooLow"


def _worked_example(chain, policy: str):
    """§3.6: GP offers T (5%); P links with T and raises its share to 10%; C links to P with T."""
    grandparent, (t,) = chain.register_root(commercial_remix(5, policy=policy))
    parent = chain.register_derivative([grandparent], [t], owner=chain.bob)
    raised = dict(NO_CONFIG, isSet=True, commercialRevShare=10 * PCT)
    chain.send(chain.c("LicensingModule").functions.setLicensingConfig(parent, PIL_TEMPLATE, t, raised), chain.bob)
    child = chain.register_derivative([parent], [t], owner=chain.carol)
    return grandparent, parent, child


@pytest.mark.parametrize(
    ("policy_name", "policy", "stack_c", "to_vault", "to_parent", "to_grandparent"),
    [
        ("RoyaltyPolicyLAP", ROYALTY_POLICY_LAP, 15, 85, 10 * WIP_UNIT, 5 * WIP_UNIT),
        ("RoyaltyPolicyLRP", ROYALTY_POLICY_LRP, 10, 90, 9_500_000_000_000_000_000, 500_000_000_000_000_000),
    ],
)
def test_worked_example(chain, policy_name, policy, stack_c, to_vault, to_parent, to_grandparent) -> None:
    grandparent, parent, child = _worked_example(chain, policy)
    contract = chain.c(policy_name)
    assert contract.functions.getPolicyRoyaltyStack(parent).call() == 5 * PCT
    assert contract.functions.getPolicyRoyaltyStack(child).call() == stack_c * PCT
    assert chain.c("LicenseRegistry").functions.getRoyaltyPercent(parent, PIL_TEMPLATE, 2).call() == 10 * PCT

    chain.pay(child, 100 * WIP_UNIT, payer_ip=grandparent, sender=chain.alice)
    assert chain.wip_balance(policy) == stack_c * WIP_UNIT
    assert chain.vault_of(child).functions.claimableRevenue(child, WIP).call() == to_vault * WIP_UNIT

    chain.send(contract.functions.transferToVault(child, parent, WIP))
    chain.send(contract.functions.transferToVault(child, grandparent, WIP))
    assert chain.vault_of(parent).functions.claimableRevenue(parent, WIP).call() == to_parent
    assert chain.vault_of(grandparent).functions.claimableRevenue(grandparent, WIP).call() == to_grandparent
    assert chain.wip_balance(policy) == 0

    # 100 paid to P: GP gets 5 and P's vault 95, under either policy.
    chain.pay(parent, 100 * WIP_UNIT, payer_ip=grandparent, sender=chain.alice)
    chain.send(contract.functions.transferToVault(parent, grandparent, WIP))
    assert chain.vault_of(grandparent).functions.claimableRevenue(grandparent, WIP).call() == (
        to_grandparent + 5 * WIP_UNIT
    )
    assert chain.vault_of(parent).functions.claimableRevenue(parent, WIP).call() == to_parent + 95 * WIP_UNIT


def test_royalty_workflows_claim_all_revenue(chain) -> None:
    grandparent, parent, child = _worked_example(chain, ROYALTY_POLICY_LAP)
    chain.pay(child, 100 * WIP_UNIT, payer_ip=grandparent, sender=chain.alice)
    workflows = chain.c("RoyaltyWorkflows")
    legacy = workflows.functions.claimAllRevenue(
        grandparent, grandparent, [child, parent], [ROYALTY_POLICY_LAP, ROYALTY_POLICY_LAP], [WIP]
    )
    receipt = chain.send(legacy, chain.carol)
    (claimed,) = chain.events(receipt, "IpRoyaltyVault", "RevenueTokenClaimed")
    assert claimed["amount"] == 5 * WIP_UNIT and chain.wip_balance(grandparent) == 5 * WIP_UNIT
    # Current form: one entry per (child, policy, currency).
    current = workflows.functions.claimAllRevenue(parent, parent, [(child, ROYALTY_POLICY_LAP, WIP)])
    chain.send(current, chain.carol)
    assert chain.wip_balance(parent) == 10 * WIP_UNIT
    assert chain.revert_name(current) == "IpRoyaltyVault__NoClaimableTokens"


def test_lrp_share_is_what_the_ip_graph_precompile_computes(chain) -> None:
    """C -> P1, P2 -> M -> G: M is reached by two paths. Story's precompile adds up M's paths before passing
    M's share on to G (one rounding), so G's share differs from a per-path sum by a unit here; the engine and
    the devnet must both give the precompile's figure."""
    from studio.royalty import royalty_split

    y, x, a, b = 15_969_536, 24_722_061, 37_135_696, 44_986_254
    licensing = chain.c("LicensingModule").functions
    terms = dict(commercial_remix(1, policy=ROYALTY_POLICY_LRP), commercialRevShare=y)
    g, (t,) = chain.register_root(terms)
    m = chain.register_derivative([g], [t], owner=chain.bob)
    chain.send(licensing.setLicensingConfig(m, PIL_TEMPLATE, t, dict(NO_CONFIG, isSet=True, commercialRevShare=x)),
               chain.bob)
    p1 = chain.register_derivative([m], [t], owner=chain.carol)
    p2 = chain.register_derivative([m], [t], owner=chain.carol)
    for p, share in ((p1, a), (p2, b)):
        raised = dict(NO_CONFIG, isSet=True, commercialRevShare=share)
        chain.send(licensing.setLicensingConfig(p, PIL_TEMPLATE, t, raised), chain.carol)
    c = chain.register_derivative([p1, p2], [t, t], owner=chain.carol)

    links = {c: [(p1, a), (p2, b)], p1: [(m, x)], p2: [(m, x)], m: [(g, y)]}
    split = royalty_split(c, links, "lrp")
    precompile = ((a * x // PCT // 100) + (b * x // PCT // 100)) * y // (100 * PCT)
    assert precompile == 3_242_173
    lrp = chain.c("RoyaltyPolicyLRP").functions
    for ancestor in (g, m, p1, p2):
        engine = next(s.royalty for s in split.ancestors if s.id == ancestor)
        assert lrp.getPolicyRoyalty(c, ancestor).call() == engine, ancestor
    assert lrp.getPolicyRoyalty(c, g).call() == precompile
