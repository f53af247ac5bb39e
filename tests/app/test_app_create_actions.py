"""Which create actions are offered for a selection, with the license engine's own reasons when refused."""

from __future__ import annotations

from studio.app.create_actions import action_states, refusal_text


def works(studio, *ids):
    found = studio.library.works.get_many(ids)
    return [found[i] for i in ids]


def test_nothing_selected_allows_only_generate(studio):
    states = action_states(studio, [])
    assert states["txt2img"].enabled
    assert not states["img2img"].enabled and "Select one image" in states["img2img"].reason
    assert not states["inpaint"].enabled and not states["blend"].enabled
    assert not any(s.license_refusal for s in states.values())


def test_a_no_derivatives_parent_refuses_remix_with_the_engines_reason(studio, add_image):
    nd = add_image("cc-by-nd-4.0", title="Quiet Grid")
    states = action_states(studio, works(studio, nd), has_mask=True)
    plan = studio.plan_derivative([nd])
    for mode in ("img2img", "inpaint"):
        assert not states[mode].enabled and states[mode].license_refusal
        assert states[mode].reason == refusal_text(plan)
        assert "Quiet Grid" in states[mode].reason and "CC BY-ND" in states[mode].reason
    assert states["txt2img"].enabled  # generating from the prompt alone needs no parent


def test_commercial_intent_turns_a_non_commercial_parent_into_a_refusal(studio, add_image):
    nc = add_image("cc-by-nc-4.0", title="Street Poster")
    assert action_states(studio, works(studio, nc))["img2img"].enabled
    refused = action_states(studio, works(studio, nc), commercial=True)["img2img"]
    assert not refused.enabled and refused.license_refusal and "commercial" in refused.reason.lower()


def test_inpaint_needs_a_mask_and_blend_two_allowed_parents(studio, add_image):
    a = add_image("cc0-1.0", title="Moss")
    b = add_image("cc-by-4.0", title="Lake")
    one = action_states(studio, works(studio, a))
    assert one["img2img"].enabled
    assert not one["inpaint"].enabled and "Paint" in one["inpaint"].reason and not one["inpaint"].license_refusal
    assert not one["blend"].enabled and "two or more" in one["blend"].reason
    two = action_states(studio, works(studio, a, b), has_mask=True)
    assert two["blend"].enabled
    assert not two["img2img"].enabled and not two["img2img"].license_refusal


def test_blending_with_an_all_rights_reserved_work_is_refused(studio, add_image):
    a = add_image("cc0-1.0", title="Moss")
    arr = add_image("all-rights-reserved", title="Brass Portrait")
    blend = action_states(studio, works(studio, a, arr))["blend"]
    assert not blend.enabled and blend.license_refusal and "Brass Portrait" in blend.reason
