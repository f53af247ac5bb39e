"""Train a LoRA from the gallery's selection: the dialog lists each work's editable caption and the works whose
training permission is refused, and the training runs as a job of the window's queue with a sample preview."""

from __future__ import annotations

from studio.app.jobs import JobState
from studio.core.types import Relation


def test_train_a_lora_from_the_selection_with_edited_captions(qtbot, window, add_image):
    allowed = [add_image("cc-by-4.0", title=f"tile_{i}.png") for i in range(2)]
    refused = add_image("all-rights-reserved", title="Private sketch")
    window.session.select([*allowed, refused])

    menu = window.work_actions.menu_for(allowed[0])
    action = next(a for a in menu.actions() if a.objectName() == "train_lora")
    assert action.isEnabled()
    action.trigger()
    dialog = window.work_actions.train_dialog
    assert dialog.captions.rowCount() == 2 and dialog.captions.item(1, 1).text() == "tile 1"
    assert dialog.refused.count() == 1 and dialog.refused.item(0).text().startswith("Private sketch: ")
    assert dialog.train_button.text() == "Train on 2 works"

    assert dialog.base.currentText() == "studio-emoji"  # the built-in model trains in seconds at 64 px
    dialog.steps.setValue(2)
    dialog.title.setText("Tiles")
    dialog.captions.item(0, 1).setText("a tiled floor")
    dialog.accept()
    jobs = window.session.jobs
    qtbot.waitUntil(lambda: jobs.job(dialog.job_id).state.done, timeout=240_000)
    job = jobs.job(dialog.job_id)
    assert job.state is JobState.finished, job.error
    assert job.preview is not None and job.step == job.total == 2

    studio = window.session.studio
    trained = job.result
    assert trained.captions == ("a tiled floor", "tile 1") and [r["id"] for r in trained.refused] == [refused]
    lora = studio.models.get(trained.lora_id)
    assert lora.name == "Tiles"
    parents = {(e.parent_id, e.relation) for e in studio.services.graph.parents(lora.work.id)}
    assert (trained.collection_id, Relation.trained_on) in parents
    assert (studio.models.get("studio-emoji").work.id, Relation.finetuned_from) in parents
