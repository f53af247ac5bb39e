"""The Create panel's royalty-policy choice: a new image takes the chosen policy; with a model that is on Story the
default is the model's terms, the panel says what they pay the data's group, and another choice is said plainly
to leave the data's creators unpaid."""

from __future__ import annotations

from studio.app.jobs import JobState
from tests.helpers.story_records import model_on_story


def _generate(qtbot, window) -> str:
    panel = window.create_panel
    panel.prompt.setPlainText("a kite")
    panel.steps.setValue(1)
    panel.width_.setValue(64)
    panel.height_.setValue(64)
    (job,) = panel.start("txt2img")
    queue = window.session.jobs
    qtbot.waitUntil(lambda: queue.job(job).state.done, timeout=120_000)
    assert queue.job(job).state is JobState.finished, queue.job(job).error
    return queue.job(job).result.id


def _choose(panel, policy: str | None) -> None:
    panel.royalty_policy.setCurrentIndex(panel.royalty_policy.findData(policy))


def test_the_chosen_royalty_policy_is_stored_with_the_new_image(qtbot, window):
    panel = window.create_panel
    models = [m.name for m in window.session.studio.models.list()]
    assert panel.royalty_policy.itemText(0) == "Default (LAP)" and panel.terms_note.isHidden()
    assert [m.name for m in window.session.studio.models.list()] == models  # asking registers no model
    _choose(panel, "lrp")
    assert panel.request_for("txt2img").royalty_policy == "lrp"
    work = window.session.studio.work(_generate(qtbot, window))
    assert (work.license_id, work.terms.royalty_policy) == ("pil-commercial-remix", "lrp")


def test_with_a_model_on_story_the_default_is_its_terms_and_the_panel_says_what_they_mean(qtbot, window):
    studio = window.session.studio
    model = studio.models.builtin().work
    model_on_story(studio, model)
    window.session.models_changed.emit()
    panel = window.create_panel
    assert panel.royalty_policy.currentData() is None
    assert panel.royalty_policy.itemText(0) == "The model's terms (LRP)"
    assert panel.terms_note.isVisibleTo(panel)
    assert panel.terms_note.text().startswith(
        "this image will pay the OpenMoji contributors’ group 1% of its revenue: it takes the terms PIL Commercial "
        "Remix with a 10% rev share, LRP royalties")

    _choose(panel, "lap")
    assert panel.terms_note.text().startswith(
        "published crediting the model, not linked to it: its data's creators are not paid")
    _choose(panel, "lrp")  # the model's own policy: its terms again
    assert panel.terms_note.text().startswith("this image will pay the OpenMoji contributors’ group 1%")

    _choose(panel, None)
    work = studio.work(_generate(qtbot, window))
    assert (work.license_id, work.terms.royalty_policy, work.terms.rev_share) == ("pil-commercial-remix", "lrp",
                                                                                  10_000_000)
