"""plan_derivative with several parents, license choice and bad input."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

from studio.errors import InvalidInput, NotFound
from studio.licensing import Reason, effective_pil, plan_derivative

NOW = 1_700_000_000


def codes(reasons: Iterable[Reason], *, blocking: bool = False, scope: str | None = None) -> set[str]:
    return {r.code for r in reasons if (not blocking or r.blocks) and (scope is None or r.scope == scope)}


def test_remix_of_two_story_works_a_cc_photo_and_an_openrail_model(lineage) -> None:
    lineage.add("sd", "creativeml-openrail-m", kind="model", title="SD 1.5", creator="CompVis")
    lineage.add("a", rev_share=5_000_000, minting_fee=10**16, on_chain=True, title="Alpha", creator="Ann")
    lineage.add("b", rev_share=5_000_000, minting_fee=10**16, on_chain=True, title="Beta", creator="Ben")
    lineage.add("photo", "cc-by-4.0", title="Pier", creator="Cat")
    plan = plan_derivative(["a", "b", "photo", "sd"], lineage.works, commercial=True, now=NOW)

    assert plan.allowed and plan.can_publish and plan.blocking() == ()
    assert plan.parent_ids == ("a", "b", "photo", "sd")
    assert plan.on_chain_parents == ("a", "b")
    assert plan.license_required and plan.license is not None
    assert effective_pil(plan.license).commercial_rev_share == 5_000_000
    assert effective_pil(plan.license).default_minting_fee == 10**16
    assert plan.story_terms == plan.license
    assert [a.work_id for a in plan.attribution] == ["a", "b", "photo"]
    assert {o.code for o in plan.obligations} == {"use_restrictions"}
    assert {r.work_id for r in plan.reasons if r.code == "credited_off_chain"} == {"photo", "sd"}
    assert plan.expires_at is None


def test_users_own_parents_with_different_terms_can_be_combined_but_not_published(lineage) -> None:
    lineage.add("a", rev_share=5_000_000, owned=True, on_chain=True)
    lineage.add("b", rev_share=9_000_000, owned=True, on_chain=True)
    plan = plan_derivative(["a", "b"], lineage.works, commercial=True, now=NOW)
    assert plan.can_make and plan.allowed and not plan.can_publish
    assert [r.code for r in plan.blocking("publish")] == ["pil_terms_differ"]
    assert not plan.license_required  # nothing can be inherited from both: the default applies
    assert plan.license is not None and plan.license.license_id == "pil-commercial-remix"


def test_default_and_requested_licenses_for_a_free_derivative(lineage) -> None:
    lineage.add("photo", "cc-by-4.0")
    commercial = plan_derivative(["photo"], lineage.works, commercial=True, now=NOW)
    assert commercial.license is not None and commercial.license.license_id == "pil-commercial-remix"
    personal = plan_derivative(["photo"], lineage.works, commercial=False, now=NOW)
    assert personal.license is not None
    assert personal.license.license_id == "pil-non-commercial-social-remixing"
    with_share = plan_derivative(["photo"], lineage.works, commercial=False, rev_share=2_000_000, now=NOW)
    assert with_share.license is not None and with_share.license.license_id == "pil-commercial-remix"
    assert with_share.license.rev_share == 2_000_000

    requested = plan_derivative(["photo"], lineage.works, commercial=True, license_id="cc-by-sa-4.0", now=NOW)
    assert requested.allowed and requested.license is not None
    assert requested.license.license_id == "cc-by-sa-4.0"
    assert codes(requested.reasons, blocking=True) == {"share_alike_not_on_story"}

    sold = plan_derivative(["photo"], lineage.works, commercial=True, license_id="pil-commercial-use",
                           minting_fee=5 * 10**17, royalty_policy="lrp", now=NOW)
    assert sold.license is not None and sold.can_publish
    assert effective_pil(sold.license).default_minting_fee == 5 * 10**17
    assert effective_pil(sold.license).royalty_policy == "lrp"


def test_parameters_a_license_lacks_are_refused_with_a_reason(lineage) -> None:
    lineage.add("photo", "cc-by-nc-4.0")
    plan = plan_derivative(["photo"], lineage.works, commercial=False, rev_share=1_000_000, now=NOW)
    assert plan.license is not None and plan.license.license_id == "pil-non-commercial-social-remixing"
    assert codes(plan.reasons, blocking=True, scope="make") == {"parameter_not_applicable"}
    lineage.add("by", "cc-by-4.0")
    policy = plan_derivative(["by"], lineage.works, commercial=False, license_id="cc-by-4.0",
                             royalty_policy="lap", now=NOW)
    assert codes(policy.reasons, blocking=True, scope="make") == {"parameter_not_applicable"}


def test_explicit_relations_override_the_guess_from_the_parents_kind(lineage) -> None:
    lineage.add("lora", "cc-by-nd-4.0", kind="lora")
    assert plan_derivative(["lora"], lineage.works, commercial=False, now=NOW).can_make
    adapted = plan_derivative([("lora", "remix_of")], lineage.works, commercial=False, now=NOW)
    assert codes(adapted.reasons, blocking=True, scope="make") == {"cc_no_derivatives"}


def test_bad_input_raises_studio_errors(lineage) -> None:
    lineage.add("a")
    with pytest.raises(InvalidInput, match="at least one parent"):
        plan_derivative([], lineage.works, commercial=False, now=NOW)
    with pytest.raises(NotFound, match="'nobody' is not in the lineage"):
        plan_derivative(["nobody"], lineage.works, commercial=False, now=NOW)
    with pytest.raises(InvalidInput, match="unknown relation 'copied'"):
        plan_derivative([("a", "copied")], lineage.works, commercial=False, now=NOW)
    with pytest.raises(NotFound, match="did you mean"):
        plan_derivative(["a"], lineage.works, commercial=False, license_id="pil-commercial-remx", now=NOW)
    lineage.add("cc", "cc-by-4.0")
    with pytest.raises(InvalidInput, match=re.escape("outside 0..100000000")):
        plan_derivative(["cc"], lineage.works, commercial=True, rev_share=200_000_000, now=NOW)
    with pytest.raises(InvalidInput, match="override must be from 0 to 100%"):
        plan_derivative(["a"], lineage.works, commercial=True, rev_share=200_000_000, now=NOW)
