"""The Create panel: a batch of images from one request, the prompt history kept in the settings, an empty
prompt refused, a layout that keeps the settings in view at 1280×720, and the real number of denoising steps."""

from __future__ import annotations

import shutil

from PySide6.QtWidgets import QApplication
from ui_helpers import click_work

from studio.app.create_actions import NO_PROMPT
from studio.app.jobs import JobState


def test_a_batch_makes_one_work_per_seed_in_sequence(qtbot, window):
    panel = window.create_panel
    panel.prompt.setPlainText("tide pools")
    panel.lock_seed.setChecked(True)
    panel.seed.setText("100")
    panel.steps.setValue(1)
    panel.width_.setValue(64)
    panel.height_.setValue(64)
    panel.batch.setValue(3)
    queue = window.session.jobs
    jobs = panel.start("txt2img")
    assert len(jobs) == 3 and len(window.jobs.rows) == 3
    qtbot.waitUntil(lambda: all(queue.job(j).state.done for j in jobs), timeout=180_000)
    assert [queue.job(j).state for j in jobs] == [JobState.finished] * 3, [queue.job(j).error for j in jobs]
    seeds = sorted(queue.job(j).result.recipe.seed for j in jobs)
    assert seeds == [100, 101, 102]
    assert window.library.model.rowCount() == 3


def test_prompts_are_remembered_across_windows(qtbot, window, open_window, settings_store):
    panel = window.create_panel
    assert not panel.recent.isEnabled()  # nothing used yet
    for prompt in ("a red kite", "a blue kite"):
        panel.prompt.setPlainText(prompt)
        panel.width_.setValue(64)
        panel.height_.setValue(64)
        panel.steps.setValue(1)
        assert panel.start("txt2img")
        window.session.jobs.cancel_all()  # the prompt is remembered when sent, whatever becomes of the job
    window.session.jobs.wait_for_done()
    QApplication.processEvents()
    assert settings_store.load().recent_prompts == ("a blue kite", "a red kite")
    other = open_window()
    recent = other.create_panel.recent
    assert recent.isEnabled()
    texts = [a.text() for a in recent.menu().actions()]
    assert texts == ["a blue kite", "a red kite"]
    recent.menu().actions()[1].trigger()
    assert other.create_panel.prompt.toPlainText() == "a red kite"


def test_an_empty_prompt_is_refused_with_the_reason(qtbot, window):
    panel = window.create_panel
    button = panel.buttons["txt2img"]
    assert not button.isEnabled() and button.toolTip() == NO_PROMPT
    assert panel.start("txt2img") == [] and window.session.jobs.jobs() == []
    window.actions_by_name["txt2img"].trigger()  # Create ▸ Generate asks for the prompt instead
    assert window.session.jobs.jobs() == [] and window.statusBar().currentMessage() == NO_PROMPT
    panel.prompt.setPlainText("   \n ")
    assert not button.isEnabled()
    panel.prompt.setPlainText("a kite")
    assert button.isEnabled() and button.toolTip() == ""


def test_the_settings_stay_in_view_at_1280_by_720(qtbot, window, add_image):
    parent = add_image("cc0-1.0", title="Moss", size=(512, 512))
    window.resize(1280, 720)
    window.jobs_dock.show()
    click_work(qtbot, window, parent)
    panel = window.create_panel
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.mask.isVisible())
    QApplication.processEvents()
    for name in ("prompt", "seed", "steps", "width_", "height_", "strength", "batch"):
        widget = getattr(panel, name)
        shown = widget.visibleRegion().boundingRect()
        assert widget.isVisible() and shown.size() == widget.size(), f"{name} is cut off or scrolled away"
    assert all(b.visibleRegion().boundingRect().size() == b.size() for b in panel.buttons.values())


def test_the_real_number_of_denoising_steps_is_shown(qtbot, window, add_image):
    parent = add_image("cc0-1.0", title="Moss")
    panel = window.create_panel
    assert panel.steps_note.text() == "4 steps run"  # the built-in model's default
    click_work(qtbot, window, parent)
    panel.steps.setValue(30)
    panel.strength.setValue(0.6)
    assert panel.steps_note.text() == "Generate: 30 steps run · Remix: 30 steps × strength 0.6 → 18 run"
    panel.strength.setValue(0)  # auto: a remix's default strength
    assert panel.steps_note.text() == "Generate: 30 steps run · Remix: 30 steps × strength 0.6 → 18 run"
    panel.strength.setValue(0.25)
    assert panel.steps_note.text() == "Generate: 30 steps run · Remix: 30 steps × strength 0.25 → 7 run"


def test_a_model_licenses_terms_for_outputs_are_told_with_a_link_before_generating(qtbot, window, tmp_path):
    studio = window.session.studio
    folder = tmp_path / "flux-dev-tiny"
    shutil.copytree(studio.models.builtin("studio-tiny").path, folder)
    (folder / "LICENSE.md").write_text("flux-1-dev-non-commercial", encoding="utf-8")
    model, _new = studio.models.add(folder, name="flux-dev-tiny", license_id="flux-1-dev-non-commercial")
    panel = window.create_panel
    panel.reload_models()
    panel.prompt.setPlainText("a harbour")
    panel.model.setCurrentIndex(next(i for i in range(panel.model.count())
                                     if panel.model.itemData(i)[1] == model.work.id))
    panel.update_actions()
    text = panel.reason.text()
    assert "non-commercial, non-production" in text and "may still be used commercially" in text
    assert '<a href="https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md">' in text
    assert panel.buttons["txt2img"].isEnabled()
