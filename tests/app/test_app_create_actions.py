"""Which create actions are offered for a selection, with the license engine's own reasons when refused."""

from __future__ import annotations

import shutil

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


def _model_under(studio, tmp_path, license_id: str) -> str:
    """The built-in tiny model's folder, copied with a LICENSE.md (a different file set), under `license_id`."""
    folder = tmp_path / license_id
    shutil.copytree(studio.models.builtin("studio-tiny").path, folder)
    (folder / "LICENSE.md").write_text(license_id, encoding="utf-8")
    model, _new = studio.models.add(folder, name=license_id, license_id=license_id)
    return model.work.id


def test_the_models_license_is_said_before_generating_with_its_own_text_linked(studio, tmp_path):
    flux = _model_under(studio, tmp_path, "flux-1-dev-non-commercial")
    note = action_states(studio, [], [flux], commercial=True)["txt2img"]
    assert note.enabled and not note.license_refusal
    assert "non-commercial, non-production" in note.license_note
    assert "may still be used commercially" in note.license_note
    assert "https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md" in note.license_note
    sd35 = _model_under(studio, tmp_path, "stabilityai-ai-community")
    note = action_states(studio, [], [sd35], commercial=True)["txt2img"]
    assert note.enabled and "allowed only if your annual revenue" in note.license_note
    assert "US$1,000,000" in note.license_note
