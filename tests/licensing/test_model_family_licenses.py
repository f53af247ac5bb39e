"""Today's model families' licenses: a model's own terms apart from its outputs' (FLUX.1 [dev]), a condition the
creator confirms (Stability AI Community: revenue under US$1M), a ban on training competing models on outputs that
reaches every descendant, and a permissive model license that leaves a non-commercial parent in charge."""

from __future__ import annotations

from studio.licensing import check_work, plan_derivative, training_verdict
from studio.licensing.model_terms import lineage_conditions

NOW = 1_700_000_000
FLUX_DEV = "flux-1-dev-non-commercial"
SD35 = "stabilityai-ai-community"
FLUX_URL = "https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md"


def line(verdict, action: str, who: str = "you"):
    return next(x for x in verdict.lines if x.action == action and x.who == who)


def test_selling_an_image_made_with_flux_dev_is_allowed_though_the_model_itself_is_non_commercial(lineage) -> None:
    lineage.add("flux", FLUX_DEV, kind="model", title="FLUX.1 dev", creator="Black Forest Labs")
    lineage.add("img", "pil-commercial-remix", parents=("flux",), owned=True, title="Harbour")
    image = check_work("img", lineage.works, now=NOW)
    assert image.can_use_commercially and line(image, "commercial").answer == "yes"
    outputs = next(r for r in image.reasons if r.code == "model_outputs_terms")
    assert "Section 2(d)" in outputs.message and FLUX_URL in outputs.message
    assert not [o for o in image.obligations if o.code == "non_commercial"]
    model = check_work("flux", lineage.works, now=NOW)
    commercial = line(model, "commercial")
    assert not model.can_use_commercially and commercial.answer == "no"
    assert commercial.reason.code == "model_use_non_commercial" and "non-production" in commercial.reason.message
    # Before generating: selling is fine, running the model is non-commercial only (a warning, not a refusal).
    plan = plan_derivative(["flux"], lineage.works, commercial=True, now=NOW)
    assert plan.allowed and "model_run_non_commercial" in [r.code for r in plan.reasons]


def test_a_fine_tune_of_flux_dev_follows_the_models_own_non_commercial_terms(lineage) -> None:
    lineage.add("flux", FLUX_DEV, kind="model")
    plan = plan_derivative([("flux", "finetuned_from")], lineage.works, commercial=True, now=NOW)
    assert not plan.can_use_commercially
    assert [r.code for r in plan.blocking("commercial")] == ["cc_non_commercial"]


def test_training_a_lora_on_flux_dev_images_and_their_remixes_is_refused_citing_the_clause(lineage) -> None:
    lineage.add("flux", FLUX_DEV, kind="model", title="FLUX.1 dev")
    lineage.add("img", "cc0-1.0", parents=("flux",), owned=True, title="Harbour")
    lineage.add("remix", "cc0-1.0", parents=("img",), owned=True, title="Harbour at night")
    lineage.add("other", "cc0-1.0", parents=("remix",), title="Someone's copy")
    for work_id in ("img", "remix", "other"):
        verdict = training_verdict(lineage.works[work_id], works=lineage.works)
        assert not verdict.allowed and not verdict.others_allowed, work_id
        refusal = verdict.lines[0].reason
        assert refusal.code == "training_outputs_forbidden"
        assert "competes with FLUX.1 [dev]" in refusal.message and FLUX_URL in refusal.message
    assert "up its lineage" in training_verdict(lineage.works["remix"], works=lineage.works).lines[0].reason.message
    assert not check_work("remix", lineage.works, now=NOW).can_train
    # Without the lineage nothing is known of the model (the old answer): the owner may train.
    assert training_verdict(lineage.works["img"]).allowed


def test_selling_an_sd35_image_needs_the_revenue_confirmation(lineage) -> None:
    lineage.add("sd35", SD35, kind="model", title="SD 3.5 Large", creator="Stability AI")
    lineage.add("img", "pil-commercial-remix", parents=("sd35",), owned=True, title="Dune")
    unconfirmed = check_work("img", lineage.works, now=NOW)
    commercial = line(unconfirmed, "commercial")
    assert not unconfirmed.can_use_commercially and commercial.answer == "if"
    assert commercial.label == "may be used commercially" and not commercial.allowed
    assert commercial.reason.code == "condition_unconfirmed" and "US$1,000,000" in commercial.reason.message
    assert "revenue-under-1m" in commercial.reason.message
    lineage.add("img", "pil-commercial-remix", parents=("sd35",), owned=True, title="Dune",
                confirmed=("revenue-under-1m",))
    confirmed = check_work("img", lineage.works, now=NOW)
    commercial = line(confirmed, "commercial")
    assert confirmed.can_use_commercially and commercial.answer == "yes"
    assert commercial.reason.code == "condition_confirmed" and "US$1,000,000" in commercial.reason.message
    assert list(lineage_conditions("img", lineage.works)) == ["revenue-under-1m"]
    # Before generating it is a warning: the work does not exist yet, so nothing is confirmed for it.
    plan = plan_derivative(["sd35"], lineage.works, commercial=True, now=NOW)
    assert plan.allowed
    assert [r.severity for r in plan.reasons if r.code == "condition_unconfirmed"] == ["warn"]


def test_an_apache_model_leaves_a_cc_by_nc_parent_in_charge_of_commercial_use(lineage) -> None:
    lineage.add("schnell", "apache-2.0", kind="model", title="FLUX.1 schnell")
    lineage.add("photo", "cc-by-nc-4.0", title="Lighthouse", creator="Bo")
    lineage.add("img", "cc-by-nc-4.0", parents=("schnell", "photo"), owned=True)
    verdict = check_work("img", lineage.works, now=NOW)
    commercial = line(verdict, "commercial")
    assert not verdict.can_use_commercially
    assert commercial.reason.code == "cc_non_commercial" and commercial.reason.work_id == "photo"
    assert all(r.work_id != "schnell" for r in verdict.blocking())
    assert [a.work_id for a in verdict.attribution] == ["photo"]  # Apache asks no credit on outputs
    assert training_verdict(lineage.works["img"], works=lineage.works).allowed
