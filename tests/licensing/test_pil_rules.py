"""Story's PIL rules, one test each; the rule (contract and check) is named in each test's docstring."""

from __future__ import annotations

from collections.abc import Iterable

from studio.core.types import MAX_ANCESTORS, MAX_PARENTS
from studio.licensing import Reason, check_work, effective_pil, plan_derivative, royalty_links

NOW = 1_700_000_000


def codes(reasons: Iterable[Reason], *, blocking: bool = False, scope: str | None = None) -> set[str]:
    return {r.code for r in reasons if (not blocking or r.blocks) and (scope is None or r.scope == scope)}


def test_derivatives_allowed_false_refuses_a_remix(lineage) -> None:
    """PILicenseTemplate.verifyRegisterDerivative requires derivativesAllowed."""
    lineage.add("p", "pil-commercial-use", on_chain=True)
    plan = plan_derivative(["p"], lineage.works, commercial=False, now=NOW)
    assert not plan.can_make and not plan.can_publish
    assert codes(plan.reasons, blocking=True, scope="make") == {"pil_derivatives_not_allowed"}
    assert "allows no remixes" in plan.reasons[0].message and "“P”" in plan.reasons[0].message


def test_a_parent_that_is_a_derivative_needs_reciprocal_terms(lineage) -> None:
    """verifyRegisterDerivative / verifyMintLicenseToken: a derivative licensor needs derivativesReciprocal,
    so a non-reciprocal derivative is a dead end."""
    loose = lineage.custom_license("pil-commercial-remix", "loose-remix", derivatives_reciprocal=False)
    lineage.add("root", loose, on_chain=True)
    lineage.add("mid", loose, parents=("root",), on_chain=True)

    from_root = plan_derivative(["root"], lineage.works, commercial=False, now=NOW)
    assert from_root.can_make and from_root.can_publish
    assert "pil_child_dead_end" in codes(from_root.reasons)
    assert not from_root.license_required  # non-reciprocal: the remix chooses its own license

    from_mid = plan_derivative(["mid"], lineage.works, commercial=False, now=NOW)
    assert not from_mid.can_make
    assert codes(from_mid.reasons, blocking=True) == {"pil_parent_is_dead_end"}
    assert not check_work("mid", lineage.works, now=NOW).can_remix


def test_derivatives_approval_blocks_until_the_owner_approves(lineage) -> None:
    """verifyRegisterDerivative: derivativesApproval requires isDerivativeApproved(parent, terms, child)."""
    approval = lineage.custom_license("pil-commercial-remix", "approval-remix", derivatives_approval=True)
    lineage.add("p", approval, on_chain=True)
    refused = plan_derivative(["p"], lineage.works, commercial=True, now=NOW)
    assert not refused.can_make and codes(refused.reasons, blocking=True) == {"pil_approval_required"}
    approved = plan_derivative(["p"], lineage.works, commercial=True, now=NOW, approved={"p"})
    assert approved.can_make and approved.can_publish and approved.allowed

    lineage.add("mine", approval, on_chain=True, owned=True)
    own = plan_derivative(["mine"], lineage.works, commercial=True, now=NOW)
    assert own.can_make and "pil_approval_by_you" in codes(own.reasons)


def test_reciprocal_parents_need_identical_terms(lineage) -> None:
    """PILicenseTemplate.verifyCompatibleLicenses: reciprocal parents need the same licenseTermsId."""
    lineage.add("a", rev_share=5_000_000, on_chain=True)
    lineage.add("b", rev_share=10_000_000, on_chain=True)
    lineage.add("c", rev_share=5_000_000, on_chain=True)
    differ = plan_derivative(["a", "b"], lineage.works, commercial=True, now=NOW)
    assert not differ.can_make
    assert codes(differ.reasons, blocking=True) == {"pil_terms_differ"}
    assert "5% rev share" in differ.reasons[0].message and "10% rev share" in differ.reasons[0].message

    same = plan_derivative(["a", "c"], lineage.works, commercial=True, now=NOW)
    assert same.can_make and same.can_publish and same.license_required
    assert same.license is not None and same.license.same_terms(lineage.works["a"].terms)
    assert same.on_chain_parents == ("a", "c")


def test_commercial_and_non_commercial_parents_cannot_be_mixed(lineage) -> None:
    """verifyCompatibleLicenses: every parent has the same commercialUse."""
    lineage.add("nc", "pil-non-commercial-social-remixing", on_chain=True)
    lineage.add("cr", on_chain=True)
    both_reciprocal = plan_derivative(["nc", "cr"], lineage.works, commercial=False, now=NOW)
    assert not both_reciprocal.can_make  # no license satisfies both reciprocal parents

    open_nc = lineage.custom_license("pil-non-commercial-social-remixing", "open-nc", derivatives_reciprocal=False)
    open_c = lineage.custom_license("pil-commercial-remix", "open-c", derivatives_reciprocal=False)
    lineage.add("x", open_nc, on_chain=True)
    lineage.add("y", open_c, on_chain=True)
    plan = plan_derivative(["x", "y"], lineage.works, commercial=False, now=NOW)
    assert plan.can_make and not plan.can_publish
    assert codes(plan.reasons, blocking=True, scope="publish") == {"pil_commercial_mismatch"}


def test_reciprocal_and_non_reciprocal_parents_cannot_be_mixed(lineage) -> None:
    """verifyCompatibleLicenses: every parent has the same derivativesReciprocal."""
    open_c = lineage.custom_license("pil-commercial-remix", "open-c", derivatives_reciprocal=False)
    lineage.add("r", on_chain=True)
    lineage.add("o", open_c, on_chain=True)
    plan = plan_derivative(["r", "o"], lineage.works, commercial=True, now=NOW)
    assert plan.can_make and not plan.can_publish
    assert codes(plan.reasons, blocking=True, scope="publish") == {"pil_reciprocal_mismatch"}


def test_all_parents_use_one_royalty_policy(lineage) -> None:
    """LicensingModule: RoyaltyPolicyMismatch when parents' terms use different royalty policies."""
    open_c = lineage.custom_license("pil-commercial-remix", "open-c", derivatives_reciprocal=False)
    lineage.add("lap", open_c, on_chain=True)
    lineage.add("lrp", open_c, royalty_policy="lrp", on_chain=True)
    plan = plan_derivative(["lap", "lrp"], lineage.works, commercial=True, now=NOW)
    assert plan.can_make and not plan.can_publish
    assert codes(plan.reasons, blocking=True) == {"royalty_policy_mismatch"}
    assert "LAP, LRP" in next(r.message for r in plan.reasons if r.code == "royalty_policy_mismatch")


def test_at_most_16_parents(lineage) -> None:
    """LicenseRegistry.MAX_PARENTS = 16."""
    ids = [f"p{i}" for i in range(MAX_PARENTS + 1)]
    for pid in ids:
        lineage.add(pid, "pil-non-commercial-social-remixing", on_chain=True)
    assert plan_derivative(ids[:MAX_PARENTS], lineage.works, commercial=False, now=NOW).can_make
    too_many = plan_derivative(ids, lineage.works, commercial=False, now=NOW)
    assert codes(too_many.reasons, blocking=True, scope="make") == {"too_many_parents"}


def test_at_most_1024_ancestors(lineage) -> None:
    """LicenseRegistry.MAX_ANCESTORS = 1024, counted after linking."""
    lineage.add("w0", "pil-non-commercial-social-remixing", on_chain=True)
    for i in range(1, MAX_ANCESTORS + 1):
        lineage.add(f"w{i}", "pil-non-commercial-social-remixing", parents=(f"w{i - 1}",), on_chain=True)
    at_limit = plan_derivative([f"w{MAX_ANCESTORS - 1}"], lineage.works, commercial=False, now=NOW)
    assert at_limit.can_make  # 1024 ancestors
    over = plan_derivative([f"w{MAX_ANCESTORS}"], lineage.works, commercial=False, now=NOW)
    assert codes(over.reasons, blocking=True, scope="make") == {"too_many_ancestors"}
    assert "1025 ancestors" in next(r.message for r in over.reasons if r.code == "too_many_ancestors")


def test_expired_parents_are_refused(lineage) -> None:
    """LicenseRegistry: ParentIpExpired once the parent's expiry time is at or before now."""
    lineage.add("later", expires_at=NOW + 1, on_chain=True)
    lineage.add("now", expires_at=NOW, on_chain=True)
    assert plan_derivative(["later"], lineage.works, commercial=True, now=NOW).can_make
    expired = plan_derivative(["now"], lineage.works, commercial=True, now=NOW)
    assert codes(expired.reasons, blocking=True) == {"pil_parent_expired"}
    verdict = check_work("now", lineage.works, now=NOW)
    assert not verdict.can_remix and not verdict.can_publish
    assert "work_expired" in codes(verdict.reasons, blocking=True)


def test_expiry_is_inherited_from_the_earliest_parent(lineage) -> None:
    """LicenseRegistry.registerDerivativeIp: child expiry = min(parents' expiry, link time + expiration)."""
    month = 30 * 24 * 3600
    expiring = lineage.custom_license("pil-commercial-remix", "expiring-remix", expiration=month)
    lineage.add("gp", expiring, registered_at=NOW - month, on_chain=True)  # expires exactly now
    lineage.add("p", expiring, parents=("gp",), registered_at=NOW - 10, on_chain=True)
    plan = plan_derivative(["p"], lineage.works, commercial=True, now=NOW)
    assert codes(plan.reasons, blocking=True) == {"pil_parent_expired"}

    lineage.add("fresh", expiring, registered_at=NOW, on_chain=True)
    fresh = plan_derivative(["fresh"], lineage.works, commercial=True, now=NOW + 5)
    assert fresh.can_make and fresh.expires_at == NOW + month  # the parent's expiry is the earlier one


def test_reciprocal_terms_are_inherited_exactly(lineage) -> None:
    """LicenseRegistry attaches each parent's terms to the child; a derivative cannot attach others."""
    lineage.add("p", rev_share=7_000_000, minting_fee=10**17, on_chain=True)
    plan = plan_derivative(["p"], lineage.works, commercial=True, now=NOW)
    assert plan.license_required and plan.license is not None
    assert effective_pil(plan.license) == effective_pil(lineage.works["p"].terms)
    assert plan.story_terms == plan.license
    other = plan_derivative(["p"], lineage.works, commercial=True, license_id="cc-by-4.0", now=NOW)
    assert codes(other.reasons, blocking=True) == {"license_must_be_inherited"}
    fee = plan_derivative(["p"], lineage.works, commercial=True, minting_fee=1, now=NOW)
    assert codes(fee.reasons, blocking=True) == {"inherited_terms_fixed"}
    assert check_work("p", lineage.works, now=NOW).inherited_license == lineage.works["p"].terms


def test_rev_share_is_a_raise_only_override(lineage) -> None:
    """PILicenseTemplate.canOverrideRoyaltyPercent: commercialUse and (X == 0 or X ≥ the terms' revShare)."""
    lineage.add("p", rev_share=5_000_000, on_chain=True)
    lower = plan_derivative(["p"], lineage.works, commercial=True, rev_share=4_000_000, now=NOW)
    assert not lower.can_make and codes(lower.reasons, blocking=True) == {"rev_share_below_inherited"}
    assert "4% is below the 5%" in next(r.message for r in lower.reasons if r.blocks)

    higher = plan_derivative(["p"], lineage.works, commercial=True, rev_share=10_000_000, now=NOW)
    assert higher.can_make and higher.license is not None
    assert higher.license.rev_share_override == 10_000_000 and higher.license.rev_share == 5_000_000
    assert "rev_share_raised" in codes(higher.reasons)

    for same in (0, 5_000_000):
        plan = plan_derivative(["p"], lineage.works, commercial=True, rev_share=same, now=NOW)
        assert plan.can_make and plan.license is not None and plan.license.rev_share_override is None

    lineage.add("nc", "pil-non-commercial-social-remixing", on_chain=True)
    nc = plan_derivative(["nc"], lineage.works, commercial=False, rev_share=1_000_000, now=NOW)
    assert codes(nc.reasons, blocking=True, scope="make") == {"rev_share_needs_commercial_terms"}


def test_commercial_use_needs_commercial_terms_on_every_pil_ancestor(lineage) -> None:
    """PIL commercialUse: a commercial remix whose grandparent is non-commercial cannot be sold."""
    lineage.add("gp", "pil-non-commercial-social-remixing", on_chain=True, title="Origin")
    # Recorded from outside the app under the wrong (commercial) terms.
    lineage.add("p", parents=("gp",), on_chain=False)
    plan = plan_derivative(["p"], lineage.works, commercial=True, now=NOW)
    assert not plan.can_use_commercially and not plan.allowed
    blocked = [r for r in plan.reasons if r.blocks and r.scope == "commercial"]
    assert [(r.code, r.work_id) for r in blocked] == [("pil_non_commercial", "gp")]
    assert "“Origin”" in blocked[0].message


def test_attribution_lines_follow_commercial_and_derivatives_attribution(lineage) -> None:
    """PIL commercialAttribution / derivativesAttribution: credit every ancestor whose terms ask it."""
    lineage.add("gp", creator="Ann", title="Sunrise", on_chain=True)
    lineage.add("p", parents=("gp",), creator=None, title="Noon", on_chain=True)
    lineage.add("mine", "pil-commercial-remix", owned=True, on_chain=True)
    plan = plan_derivative(["p", "mine"], lineage.works, commercial=True, now=NOW)
    credits = {a.work_id: a for a in plan.attribution}
    assert set(credits) == {"p", "gp"}  # the user's own work needs no credit line
    assert credits["gp"].text == (
        '"Sunrise" by Ann, licensed under PIL Commercial Remix (https://github.com/piplabs/pil-document), '
        "registered on Story"
    )
    assert "by an unknown creator" in credits["p"].text
    assert credits["gp"].required_for == "remixes and commercial use" and credits["gp"].on_chain


def test_pil_parent_not_on_chain_blocks_publishing_not_making(lineage) -> None:
    """LicensingModule.registerDerivative links to registered parents only."""
    lineage.add("a", title="Alpha")
    lineage.add("b", title="Beta", on_chain=True)
    plan = plan_derivative(["a", "b"], lineage.works, commercial=True, now=NOW)
    assert plan.can_make and plan.allowed and not plan.can_publish
    missing = [r for r in plan.reasons if r.code == "parent_not_on_chain"]
    assert [r.work_id for r in missing] == ["a"] and "“Alpha”" in missing[0].message


def test_a_parent_is_linked_once(lineage) -> None:
    """LicenseRegistry: DuplicateParentIp."""
    lineage.add("a", on_chain=True)
    plan = plan_derivative(["a", "a"], lineage.works, commercial=True, now=NOW)
    assert codes(plan.reasons, blocking=True) == {"duplicate_parent"}


def test_royalty_links_follow_pil_links_with_the_royalty_percent(lineage) -> None:
    """LicensingModule step 7: the link's percent is getRoyaltyPercent(parent) (override if set)."""
    lineage.add("gp", rev_share=5_000_000, on_chain=True)
    lineage.add("p", parents=("gp",), rev_share=5_000_000, rev_share_override=10_000_000, on_chain=True)
    lineage.add("cc", "cc-by-4.0")
    lineage.add("c", parents=("p", "cc"), rev_share=5_000_000)
    assert royalty_links("c", lineage.works) == {"c": [("p", 10_000_000)], "p": [("gp", 5_000_000)]}
