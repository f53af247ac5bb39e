"""Linking derivatives on the devnet (§1.4-1.9, §2.1): what is inherited, and every refusal by its error."""

from __future__ import annotations

from devnet_chain import EMPTY_METADATA, PCT, commercial_remix, pil_terms

from studio.story.devnet.addresses import (
    DERIVATIVE_WORKFLOWS,
    PIL_TEMPLATE,
    ROYALTY_MODULE,
    ROYALTY_POLICY_LAP,
    ROYALTY_POLICY_LRP,
)

COMMERCIAL_USE_ONLY = {"derivativesAllowed": False, "derivativesAttribution": False, "derivativesReciprocal": False}


def _link_directly(chain, child, parents, terms_ids, **kw):
    return chain.c("LicensingModule").functions.registerDerivative(
        child, parents, terms_ids, PIL_TEMPLATE, b"", kw.get("max_fee", 0), 0, kw.get("max_rev_share", 0)
    )


def test_single_parent_child_inherits_terms(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10))
    receipt = chain.send(chain.derivative_fn([parent], [terms_id], owner=chain.bob), chain.bob)
    child = chain.events(receipt, "IPAssetRegistry", "IPRegistered")[0]["ipId"]
    (linked,) = chain.events(receipt, "LicensingModule", "DerivativeRegistered")
    assert linked["childIpId"] == child and linked["parentIpIds"] == [parent] and linked["licenseTermsIds"] == [2]
    registry = chain.c("LicenseRegistry")
    assert registry.functions.isDerivativeIp(child).call()
    assert registry.functions.getParentIpCount(child).call() == 1
    assert registry.functions.getDerivativeIp(parent, 0).call() == child
    assert registry.functions.hasIpAttachedLicenseTerms(child, PIL_TEMPLATE, terms_id).call()
    assert registry.functions.getAttachedLicenseTermsCount(child).call() == 1
    # The NFT went to the recipient, so the child belongs to bob.
    assert chain.c("IPAccountImpl", child).functions.owner().call() == chain.bob
    assert chain.c("RoyaltyPolicyLAP").functions.getPolicyRoyaltyStack(child).call() == 10 * PCT
    assert chain.c("RoyaltyModule").functions.globalRoyaltyStack(child).call() == 10 * PCT
    vaults = chain.events(receipt, "RoyaltyModule", "IpRoyaltyVaultDeployed")
    assert {v["ipId"] for v in vaults} == {parent, child}
    # A derivative offers only what it inherited.
    attach = chain.c("LicensingModule").functions.attachLicenseTerms(child, PIL_TEMPLATE, 1)
    assert chain.revert_name(attach, chain.bob) == "LicensingModule__DerivativesCannotAddLicenseTerms"


def test_multi_parent_derivative(chain) -> None:
    a, (terms_id,) = chain.register_root(commercial_remix(10))
    b, _ = chain.register_root(commercial_remix(10), owner=chain.bob)
    child = chain.register_derivative([a, b], [terms_id, terms_id], owner=chain.carol)
    registry = chain.c("LicenseRegistry")
    assert [registry.functions.getParentIp(child, i).call() for i in range(2)] == [a, b]
    assert registry.functions.getAttachedLicenseTermsCount(child).call() == 1
    assert chain.c("RoyaltyPolicyLAP").functions.getPolicyRoyaltyStack(child).call() == 20 * PCT


def test_derivative_of_a_derivative_with_reciprocal_terms(chain) -> None:
    root, (terms_id,) = chain.register_root(commercial_remix(5))
    child = chain.register_derivative([root], [terms_id], owner=chain.bob)
    grandchild = chain.register_derivative([child], [terms_id], owner=chain.carol)
    registry = chain.c("LicenseRegistry")
    assert registry.functions.getAncestorsCount(grandchild).call() == 2
    assert registry.functions.getAncestors(grandchild).call() == [child, root]
    assert registry.functions.hasIpAttachedLicenseTerms(grandchild, PIL_TEMPLATE, terms_id).call()
    assert chain.c("RoyaltyModule").functions.hasAncestorIp(grandchild, root).call()
    assert chain.c("RoyaltyPolicyLAP").functions.getPolicyRoyaltyStack(grandchild).call() == 10 * PCT


def test_derivatives_not_allowed(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(0, **COMMERCIAL_USE_ONLY))
    assert chain.revert_name(chain.derivative_fn([parent], [terms_id])) == (
        "LicensingModule__LicenseNotCompatibleForDerivative"
    )


def test_non_reciprocal_derivative_is_a_dead_end(chain) -> None:
    root, (terms_id,) = chain.register_root(commercial_remix(10, derivativesReciprocal=False))
    child = chain.register_derivative([root], [terms_id], owner=chain.bob)
    assert chain.revert_name(chain.derivative_fn([child], [terms_id])) == (
        "LicensingModule__LicenseNotCompatibleForDerivative"
    )
    mint = chain.c("LicensingModule").functions.mintLicenseTokens(
        child, PIL_TEMPLATE, terms_id, 1, chain.alice, b"", 0, 0
    )
    assert chain.revert_name(mint) == "LicensingModule__LicenseDenyMintLicenseToken"


def test_commercial_and_non_commercial_parents_cannot_mix(chain) -> None:
    a, _ = chain.register_root(pil_terms(uri="ncsr"))
    b, (commercial_id,) = chain.register_root(commercial_remix(10, derivativesReciprocal=False))
    ncsr_id = chain.c("PILicenseTemplate").functions.getLicenseTermsId(pil_terms(uri="ncsr")).call()
    fn = chain.derivative_fn([a, b], [ncsr_id, commercial_id])
    assert chain.revert_name(fn) == "LicensingModule__LicenseNotCompatibleForDerivative"


def test_reciprocal_parents_need_the_same_terms_id(chain) -> None:
    a, (ten,) = chain.register_root(commercial_remix(10))
    b, (five,) = chain.register_root(commercial_remix(5))
    fn = chain.derivative_fn([a, b], [ten, five])
    assert chain.revert_name(fn) == "LicensingModule__LicenseNotCompatibleForDerivative"


def test_parents_must_share_a_royalty_policy(chain) -> None:
    a, (lap,) = chain.register_root(commercial_remix(10, derivativesReciprocal=False))
    b, (lrp,) = chain.register_root(commercial_remix(10, policy=ROYALTY_POLICY_LRP, derivativesReciprocal=False))
    assert chain.revert_name(chain.derivative_fn([a, b], [lap, lrp])) == "LicensingModule__RoyaltyPolicyMismatch"


def test_max_revenue_share_is_enforced(chain) -> None:
    a, (terms_id,) = chain.register_root(commercial_remix(10))
    b, _ = chain.register_root(commercial_remix(10))
    fn = chain.derivative_fn([a], [terms_id], max_rev_share=5 * PCT)
    assert chain.revert_name(fn) == "LicensingModule__ExceedMaxRevenueShare"
    both = chain.derivative_fn([a, b], [terms_id, terms_id], max_rev_share=15 * PCT)
    assert chain.revert_name(both) == "LicensingModule__ExceedMaxRevenueShare"
    chain.send(chain.derivative_fn([a, b], [terms_id, terms_id], max_rev_share=20 * PCT))


def test_max_minting_fee_is_enforced(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10, fee=100))
    chain.wrap_and_approve(chain.bob, 100, DERIVATIVE_WORKFLOWS)
    fn = chain.derivative_fn([parent], [terms_id], max_fee=50, owner=chain.bob)
    assert chain.revert_name(fn, chain.bob) == "LicensingModule__MintingFeeExceedMaxMintingFee"
    chain.send(chain.derivative_fn([parent], [terms_id], max_fee=100, owner=chain.bob), chain.bob)


def test_royalty_stack_over_100_percent_is_refused(chain) -> None:
    root, (sixty,) = chain.register_root(commercial_remix(60))
    child = chain.register_derivative([root], [sixty])
    assert chain.revert_name(chain.derivative_fn([child], [sixty])) == "RoyaltyPolicyLAP__AboveMaxPercent"
    # Two ancestries that each fit can still overflow together in one child.
    a, (forty,) = chain.register_root(commercial_remix(40))
    b, _ = chain.register_root(commercial_remix(40))
    a1 = chain.register_derivative([a], [forty])
    b1 = chain.register_derivative([b], [forty])
    # Each parent's own check passes (40% + 40%); the child's summed stack (160%) is the royalty module's refusal.
    assert chain.revert_name(chain.derivative_fn([a1, b1], [forty, forty])) == "RoyaltyModule__AboveMaxPercent"


def test_child_that_already_has_terms_cannot_link(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10))
    child, _ = chain.register_root(commercial_remix(20), owner=chain.bob)
    fn = _link_directly(chain, child, [parent], [terms_id])
    assert chain.revert_name(fn, chain.bob) == "LicenseRegistry__DerivativeIpAlreadyHasLicense"


def test_child_links_once_and_a_parent_cannot_link_later(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10))
    other, _ = chain.register_root(commercial_remix(10))
    child = chain.register_derivative([parent], [terms_id])
    assert chain.revert_name(_link_directly(chain, child, [other], [terms_id])) == (
        "LicenseRegistry__DerivativeAlreadyRegistered"
    )
    # An IP that already has a child cannot become a derivative (checked before its attached terms).
    assert chain.revert_name(_link_directly(chain, parent, [other], [terms_id])) == (
        "LicenseRegistry__DerivativeIpAlreadyHasChild"
    )


def test_duplicate_parent_is_refused(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10))
    fn = chain.derivative_fn([parent, parent], [terms_id, terms_id])
    assert chain.revert_name(fn) == "LicenseRegistry__DuplicateParentIp"


def test_parent_needs_the_terms_attached(chain) -> None:
    """As on Story: the workflow's fee step (predictMintingLicenseFee) refuses a licensor without the terms;
    a direct link is refused by the registry's parent check."""
    parent = chain.register_bare()
    assert chain.revert_name(chain.derivative_fn([parent], [1])) == "LicenseRegistry__LicensorIpHasNoLicenseTerms"
    other, (terms_id,) = chain.register_root(commercial_remix(10))
    assert chain.revert_name(chain.derivative_fn([other], [terms_id + 1])) == (
        "LicenseRegistry__LicensorIpHasNoLicenseTerms"
    )
    child = chain.register_bare(owner=chain.bob)
    assert chain.revert_name(_link_directly(chain, child, [parent], [1]), chain.bob) == (
        "LicenseRegistry__ParentIpHasNoLicenseTerms"
    )


def test_at_most_16_parents(chain) -> None:
    parents = []
    for _ in range(17):
        ip, (terms_id,) = chain.register_root(commercial_remix(1))
        parents.append(ip)
    fn = chain.derivative_fn(parents, [terms_id] * 17)
    assert chain.revert_name(fn) == "LicenseRegistry__TooManyParents"
    child = chain.register_derivative(parents[:16], [terms_id] * 16)
    assert chain.c("LicenseRegistry").functions.getParentIpCount(child).call() == 16


def test_expiry_is_inherited_and_an_expired_parent_refused(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10, expiration=1000))
    receipt = chain.send(chain.derivative_fn([parent], [terms_id]))
    child = chain.events(receipt, "IPAssetRegistry", "IPRegistered")[0]["ipId"]
    (expiry,) = chain.events(receipt, "LicenseRegistry", "ExpirationTimeSet")
    block_time = chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert expiry["ipId"] == child and expiry["expireTime"] == block_time + 1000
    chain.increase_time(1001)
    registry = chain.c("LicenseRegistry")
    assert registry.functions.isExpiredNow(child).call()
    assert chain.revert_name(chain.derivative_fn([child], [terms_id])) == "LicenseRegistry__ParentIpExpired"
    pay = chain.c("RoyaltyModule").functions.payRoyaltyOnBehalf(child, parent, chain.c("WIP").address, 1)
    assert chain.revert_name(pay) == "RoyaltyModule__IpExpired"


def test_derivative_approval(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10, derivativesApproval=True))
    child = chain.register_bare(chain.bob)
    assert chain.revert_name(_link_directly(chain, child, [parent], [terms_id]), chain.bob) == (
        "LicensingModule__LicenseNotCompatibleForDerivative"
    )
    template = chain.c("PILicenseTemplate")
    assert chain.revert_name(template.functions.setApproval(parent, terms_id, child, True), chain.bob) == (
        "AccessController__PermissionDenied"
    )
    chain.send(template.functions.setApproval(parent, terms_id, child, True))
    assert template.functions.isDerivativeApproved(parent, terms_id, child).call()
    chain.send(_link_directly(chain, child, [parent], [terms_id]), chain.bob)


def test_direct_link_pays_fees_through_the_royalty_module(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10, fee=70))
    child = chain.register_bare(chain.bob)
    chain.wrap_and_approve(chain.bob, 70, ROYALTY_MODULE)
    chain.send(_link_directly(chain, child, [parent], [terms_id]), chain.bob)
    assert chain.wip_balance(chain.vault_of(parent).address) == 70
    assert chain.c("RoyaltyModule").functions.isWhitelistedRoyaltyPolicy(ROYALTY_POLICY_LAP).call()


def test_derivative_workflow_with_license_tokens(chain) -> None:
    parent, (terms_id,) = chain.register_root(commercial_remix(10))
    licensing = chain.c("LicensingModule")
    chain.send(
        licensing.functions.mintLicenseTokens(parent, PIL_TEMPLATE, terms_id, 1, chain.bob, b"", 0, 0), chain.bob
    )
    workflows = chain.c("DerivativeWorkflows")
    fn = workflows.functions.mintAndRegisterIpAndMakeDerivativeWithLicenseTokens(
        chain.spg, [0], b"", 0, EMPTY_METADATA, chain.bob, True
    )
    assert chain.revert_name(fn, chain.bob) == "ERC721InsufficientApproval"
    chain.send(chain.c("LicenseToken").functions.setApprovalForAll(DERIVATIVE_WORKFLOWS, True), chain.bob)
    receipt = chain.send(fn, chain.bob)
    child = chain.events(receipt, "IPAssetRegistry", "IPRegistered")[0]["ipId"]
    (linked,) = chain.events(receipt, "LicensingModule", "DerivativeRegistered")
    assert linked["licenseTokenIds"] == [0] and linked["parentIpIds"] == [parent]
    assert chain.c("IPAccountImpl", child).functions.owner().call() == chain.bob
    assert chain.c("RoyaltyPolicyLAP").functions.getPolicyRoyaltyStack(child).call() == 10 * PCT
