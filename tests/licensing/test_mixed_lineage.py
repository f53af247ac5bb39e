"""Lineages that mix PIL with Creative Commons, OpenRAIL and all-rights-reserved works."""

from __future__ import annotations

from collections.abc import Iterable

from studio.licensing import Reason, check_work, plan_derivative

NOW = 1_700_000_000


def codes(reasons: Iterable[Reason], *, blocking: bool = False, scope: str | None = None) -> set[str]:
    return {r.code for r in reasons if (not blocking or r.blocks) and (scope is None or r.scope == scope)}


def test_all_rights_reserved_parent_allows_no_derivative(lineage) -> None:
    lineage.add("photo", "all-rights-reserved", title="Someone's photo")
    plan = plan_derivative(["photo"], lineage.works, commercial=False, now=NOW)
    assert not plan.can_make
    assert codes(plan.reasons, blocking=True, scope="make") == {"all_rights_reserved"}
    assert "ask its owner" in next(r.message for r in plan.reasons if r.code == "all_rights_reserved")
    verdict = check_work("photo", lineage.works, now=NOW)
    assert not verdict.can_remix and not verdict.can_use_commercially and not verdict.can_publish


def test_own_all_rights_reserved_work_stays_remixable_by_its_owner(lineage) -> None:
    lineage.add("sketch", "all-rights-reserved", owned=True)
    plan = plan_derivative(["sketch"], lineage.works, commercial=True, now=NOW)
    assert plan.allowed and plan.can_use_commercially
    assert "own_work" in codes(plan.reasons)
    assert plan.attribution == ()
    verdict = check_work("sketch", lineage.works, now=NOW)
    assert verdict.can_remix and verdict.can_use_commercially
    assert not verdict.can_publish and "license_not_on_story" in codes(verdict.reasons, blocking=True)


def test_cc_no_derivatives_parent_allows_no_derivative(lineage) -> None:
    for license_id in ("cc-by-nd-4.0", "cc-by-nc-nd-4.0"):
        lineage.add(license_id, license_id)
        plan = plan_derivative([license_id], lineage.works, commercial=False, now=NOW)
        assert codes(plan.reasons, blocking=True, scope="make") == {"cc_no_derivatives"}
    verdict = check_work("cc-by-nd-4.0", lineage.works, now=NOW)
    assert not verdict.can_remix and verdict.can_use_commercially  # sharing it unchanged is fine


def test_generating_with_a_no_derivatives_model_is_not_remixing_it(lineage) -> None:
    lineage.add("lora", "cc-by-nd-4.0", kind="lora", title="Ink LoRA")
    plan = plan_derivative(["lora"], lineage.works, commercial=True, now=NOW)
    assert plan.allowed
    assert "tool_use_not_adaptation" in codes(plan.reasons)
    assert [a.work_id for a in plan.attribution] == ["lora"]  # BY still asks for credit


def test_non_commercial_parent_forbids_commercial_use_downstream(lineage) -> None:
    lineage.add("gp", "cc-by-nc-4.0", title="NC photo")
    lineage.add("p", "pil-non-commercial-social-remixing", parents=("gp",), owned=True)
    plan = plan_derivative(["p"], lineage.works, commercial=True, now=NOW)
    assert plan.can_make and not plan.can_use_commercially and not plan.allowed
    assert [(r.code, r.work_id) for r in plan.blocking("commercial")] == [("cc_non_commercial", "gp")]
    assert "non_commercial" in {o.code for o in plan.obligations}

    lineage.add("nc", "cc-by-nc-4.0")
    default = plan_derivative(["nc"], lineage.works, commercial=False, now=NOW)
    assert default.license is not None and default.license.license_id == "pil-non-commercial-social-remixing"
    granting = plan_derivative(["nc"], lineage.works, commercial=False, license_id="pil-cc-by", now=NOW)
    assert codes(granting.reasons, blocking=True, scope="make") == {"license_grants_more_than_parents"}


def test_share_alike_parent_forces_its_license_and_keeps_the_work_off_story(lineage) -> None:
    lineage.add("sa", "cc-by-sa-4.0", title="Shared")
    plan = plan_derivative(["sa"], lineage.works, commercial=True, now=NOW)
    assert plan.allowed and plan.license_required
    assert plan.license is not None and plan.license.license_id == "cc-by-sa-4.0"
    assert not plan.can_publish and codes(plan.reasons, blocking=True) == {"share_alike_not_on_story"}
    assert "share_alike" in {o.code for o in plan.obligations}
    other = plan_derivative(["sa"], lineage.works, commercial=True, license_id="pil-commercial-remix", now=NOW)
    assert codes(other.reasons, blocking=True, scope="make") == {"license_must_be_share_alike"}
    fee = plan_derivative(["sa"], lineage.works, commercial=True, rev_share=1, now=NOW)
    assert codes(fee.reasons, blocking=True, scope="make") == {"parameter_not_applicable"}
    verdict = check_work("sa", lineage.works, now=NOW)
    assert verdict.inherited_license is not None and verdict.inherited_license.license_id == "cc-by-sa-4.0"
    assert not verdict.can_publish


def test_two_different_share_alike_licenses_are_incompatible(lineage) -> None:
    lineage.add("a", "cc-by-sa-4.0")
    lineage.add("b", "cc-by-nc-sa-4.0")
    plan = plan_derivative(["a", "b"], lineage.works, commercial=False, now=NOW)
    assert codes(plan.reasons, blocking=True, scope="make") == {"share_alike_conflict"}


def test_share_alike_and_reciprocal_pil_parents_are_incompatible(lineage) -> None:
    lineage.add("sa", "cc-by-sa-4.0", title="Shared")
    lineage.add("pil", on_chain=True, title="Story work")
    plan = plan_derivative(["sa", "pil"], lineage.works, commercial=False, now=NOW)
    assert not plan.can_make
    blocked = plan.blocking("make")
    assert [r.code for r in blocked] == ["share_alike_conflicts_with_pil"]
    assert "“Shared”" in blocked[0].message and "“Story work”" in blocked[0].message


def test_share_alike_with_a_non_commercial_parent_cannot_be_satisfied(lineage) -> None:
    lineage.add("sa", "cc-by-sa-4.0")
    lineage.add("nc", "cc-by-nc-4.0")
    plan = plan_derivative(["sa", "nc"], lineage.works, commercial=False, now=NOW)
    assert codes(plan.reasons, blocking=True, scope="make") == {"license_grants_more_than_parents"}


def test_generating_with_a_share_alike_model_does_not_force_its_license(lineage) -> None:
    lineage.add("model", "cc-by-sa-4.0", kind="model")
    plan = plan_derivative(["model"], lineage.works, commercial=True, now=NOW)
    assert plan.allowed and not plan.license_required and plan.can_publish
    assert plan.license is not None and plan.license.license_id == "pil-commercial-remix"
    assert "share_alike" not in {o.code for o in plan.obligations}


def test_cc_by_and_cc0_parents_allow_anything_with_credit_and_no_royalty(lineage) -> None:
    lineage.add("by", "cc-by-4.0", title="Open photo", creator="Bea")
    lineage.add("zero", "cc0-1.0", title="Public domain")
    plan = plan_derivative(["by", "zero"], lineage.works, commercial=True, rev_share=10_000_000, now=NOW)
    assert plan.allowed and plan.can_publish and not plan.license_required
    assert plan.license is not None and plan.license.license_id == "pil-commercial-remix"
    assert plan.license.rev_share == 10_000_000
    assert plan.on_chain_parents == ()  # credited off chain, no royalty edge
    assert [a.work_id for a in plan.attribution] == ["by"]
    assert plan.attribution[0].text == (
        '"Open photo" by Bea, licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/legalcode)'
    )
    assert {r.work_id for r in plan.reasons if r.code == "credited_off_chain"} == {"by", "zero"}


def test_openrail_model_allows_commercial_outputs_and_passes_its_restrictions_on(lineage) -> None:
    lineage.add("sd", "creativeml-openrail-m", kind="model", title="SD 1.5", creator="CompVis")
    lineage.add("img", "cc-by-4.0", parents=("sd",), owned=True)
    plan = plan_derivative(["img"], lineage.works, commercial=True, now=NOW)
    assert plan.allowed and plan.can_publish and plan.on_chain_parents == ()
    restrictions = [o for o in plan.obligations if o.code == "use_restrictions"]
    assert len(restrictions) == 11 and all(o.work_id == "sd" for o in restrictions)
    warn = [r for r in plan.reasons if r.code == "use_restrictions_passed_on"]
    assert [(r.severity, r.work_id) for r in warn] == [("warn", "sd")]
    assert plan.attribution == ()  # OpenRAIL-M asks no credit for outputs


def test_only_pil_licensed_models_and_loras_are_story_parents(lineage) -> None:
    lineage.add("sd", "creativeml-openrail-m", kind="model")
    lineage.add("lora", "pil-commercial-remix", kind="lora", rev_share=3_000_000, on_chain=True)
    plan = plan_derivative(["sd", "lora"], lineage.works, commercial=True, now=NOW)
    assert plan.allowed and plan.can_publish
    assert plan.on_chain_parents == ("lora",)
    assert plan.license is not None and plan.license.rev_share == 3_000_000  # inherited from the LoRA


def test_a_cc_by_work_publishes_as_storys_cc_by_flavor_and_cc0_does_not_publish(lineage) -> None:
    lineage.add("mine", "cc-by-4.0", owned=True, title="Mine")
    verdict = check_work("mine", lineage.works, now=NOW)
    assert verdict.can_publish and verdict.story_terms is not None
    assert verdict.story_terms.license_id == "pil-cc-by"
    assert "published_as_flavor" in codes(verdict.reasons)
    lineage.add("free", "cc0-1.0", owned=True)
    assert codes(check_work("free", lineage.works, now=NOW).reasons, blocking=True) == {"license_not_on_story"}


def test_all_rights_reserved_model_cannot_be_used_without_permission(lineage) -> None:
    lineage.add("private", "all-rights-reserved", kind="model")
    plan = plan_derivative(["private"], lineage.works, commercial=False, now=NOW)
    assert codes(plan.reasons, blocking=True, scope="make") == {"all_rights_reserved"}
    lineage.add("trained", "all-rights-reserved", kind="model", owned=True)
    assert plan_derivative(["trained"], lineage.works, commercial=True, now=NOW).allowed


def test_share_alike_travels_through_the_users_own_remixes(lineage) -> None:
    lineage.add("sa", "cc-by-sa-4.0", title="Shared")
    lineage.add("mine", "cc-by-sa-4.0", parents=("sa",), owned=True)
    plan = plan_derivative(["mine"], lineage.works, commercial=True, license_id="pil-commercial-remix", now=NOW)
    assert [(r.code, r.work_id) for r in plan.blocking("make")] == [("license_must_be_share_alike", "sa")]
    lineage.add("own-sa", "cc-by-sa-4.0", owned=True)
    assert plan_derivative(["own-sa"], lineage.works, commercial=True, now=NOW).can_publish
