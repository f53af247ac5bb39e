"""The work's panels: license verdicts and credits, the royalty chart under LAP and LRP, the lineage graph with
flagged works, the inpaint mask, and the jobs panel's cancel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from ui_helpers import click_work

from studio.app.jobs import JobState
from studio.core.types import Origin, Relation, Terms, WorkKind, percent_to_units
from studio.lineage.graph import LineageGraph, ParentLink
from studio.store.works import NewWork


@pytest.fixture
def chain(add_image):
    """Dawn (PIL commercial remix, 5%) <- Noon (raised to 10%) <- Night, each by another creator."""
    dawn = add_image("pil-commercial-remix", title="Dawn", creator="Mira", rev_share=percent_to_units(5))
    noon = add_image(None, title="Noon", creator="Jonas", parents=(dawn,), rev_share=percent_to_units(10))
    night = add_image(None, title="Night", creator="Sana", parents=(noon,))
    return dawn, noon, night


def test_license_panel_shows_verdict_credits_and_copies_them(qtbot, window, chain):
    night = chain[-1]
    window.session.select([night])
    panel = window.license_panel
    assert panel.verdict.work_id == night and panel.verdict.can_remix
    assert "Night" in panel.heading.text() and "PIL Commercial Remix" in panel.heading.text()
    credits = panel.credits.toPlainText()
    assert '"Dawn" by Mira' in credits and '"Noon" by Jonas' in credits
    assert panel.copy_credits.isEnabled()
    QGuiApplication.clipboard().clear()
    window.actions_by_name["copy_credits"].trigger()
    assert QGuiApplication.clipboard().text() == "\n".join(a.text for a in panel.verdict.attribution)
    assert "carry its terms" in panel.reasons.text() and "(pil_terms_inherited)" not in panel.reasons.text()


def test_royalty_chart_follows_the_engine_under_lap_and_lrp(qtbot, window, chain):
    dawn, noon, night = chain
    window.session.select([night])
    panel = window.license_panel
    window.tabs.setCurrentWidget(panel)
    studio = window.session.studio

    def shown() -> dict[str, float]:
        return {s.work_id: s.percent for s in panel.chart.slices}

    assert panel.policy == "lap"
    lap = shown()
    assert lap[dawn] == 5.0 and lap[noon] == 10.0 and lap[night] == 85.0  # LAP: every edge of the ancestry
    with qtbot.waitSignal(panel.policy_changed, timeout=1000) as switched:
        qtbot.mouseClick(panel.lrp, Qt.MouseButton.LeftButton)
    assert switched.args == ["lrp"]
    lrp = shown()
    split = studio.royalty(night, "lrp")
    assert lrp[dawn] == pytest.approx(0.5)  # LRP: 5% of Noon's 10%
    assert lrp[night] == pytest.approx(float(split.creator_share) / 1e6)
    assert sum(lrp.values()) == pytest.approx(100.0)
    assert "LRP" in panel.stack.text()
    assert not panel.chart.grab().toImage().isNull()


def test_lineage_marks_flagged_works_and_navigates_on_click(qtbot, window, add_image):
    nd = add_image("cc-by-nd-4.0", title="Quiet Grid")
    bad = add_image(None, title="Grid Remix", parents=(nd,))
    assert window.session.studio.work(bad).flagged
    window.tabs.setCurrentWidget(window.lineage)
    click_work(qtbot, window, bad)
    lineage = window.lineage
    assert set(lineage.nodes) == {nd, bad}
    assert lineage.nodes[bad].work.flagged and not lineage.nodes[nd].work.flagged
    assert "1 flagged" in lineage.summary.text()
    assert [e.label for e in lineage.edges] == ["remix of"]
    image = lineage.view.grab().toImage()
    assert not image.isNull()
    point = lineage.view.mapFromScene(lineage.nodes[nd].scenePos())
    qtbot.mouseClick(lineage.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.session.selection == (nd,))
    assert window.library.gallery.currentIndex().row() == window.library.model.row_of(nd)


def test_painting_a_mask_enables_inpaint(qtbot, window, add_image):
    parent = add_image("cc0-1.0", title="Moss", size=(64, 64))
    click_work(qtbot, window, parent)
    panel = window.create_panel
    window.tabs.setCurrentWidget(panel)
    panel.prompt.setPlainText("moss with a red flower")
    assert not panel.buttons["inpaint"].isEnabled() and "Paint" in panel.buttons["inpaint"].toolTip()
    canvas = panel.mask
    qtbot.waitUntil(lambda: canvas.isVisible() and canvas.width() > 0)
    with qtbot.waitSignal(canvas.mask_changed, timeout=1000):
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center())
    qtbot.mouseMove(canvas, canvas.rect().center() + QPoint(10, 5))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center() + QPoint(10, 5))
    assert canvas.has_mask() and panel.buttons["inpaint"].isEnabled()
    assert (canvas.mask.width(), canvas.mask.height()) == (64, 64)
    centre = canvas.mask.pixelColor(32, 32)
    corner = canvas.mask.pixelColor(0, 0)
    assert centre.value() == 255 and corner.value() == 0  # white where painted, black elsewhere
    request = panel.request_for("inpaint")
    assert request.mask is not None and request.mask.exists() and request.width is None
    qtbot.mouseClick(panel.clear_mask, Qt.MouseButton.LeftButton)
    assert not canvas.has_mask() and not panel.buttons["inpaint"].isEnabled()


def test_a_running_generation_can_be_cancelled_from_its_row(qtbot, window):
    panel = window.create_panel
    qtbot.keyClicks(panel.prompt, "fog over water")
    panel.steps.setValue(60)
    panel.width_.setValue(64)
    panel.height_.setValue(64)
    assert panel.buttons["txt2img"].isEnabled()
    queue = window.session.jobs
    [job_id] = panel.start("txt2img")
    row = window.jobs.rows[job_id]
    qtbot.waitUntil(lambda: queue.job(job_id).preview is not None, timeout=120_000)
    assert row.progress.value() > 0 and "step" in row.progress.text()
    assert not row.preview.pixmap().isNull()  # the live preview of the denoising so far
    with qtbot.waitSignal(queue.job_cancelled, timeout=60_000):
        qtbot.mouseClick(row.cancel, Qt.MouseButton.LeftButton)
    assert queue.job(job_id).state is JobState.cancelled and row.state.text() == "Cancelled"
    assert window.library.model.rowCount() == 0 and not row.cancel.isVisible()


def test_lineage_draws_every_ancestor_it_counts_the_models_training_set_included(qtbot, window, add_image):
    studio = window.session.studio
    members = [add_image("cc-by-4.0", title=f"tile {i}", creator="Ada") for i in range(2)]
    collection = studio.collections.create("Tiles set", work_refs=members)
    base = studio.models.builtin("studio-tiny").work
    with studio.library.db.atomic():
        lora = studio.library.works.insert(NewWork(
            kind=WorkKind.lora, sha256="b" * 64, title="Tiles", creator="Cy", origin=Origin.generated,
            terms=Terms("cc-by-4.0"), format="safetensors"))
        LineageGraph(studio.library.edges).add_parents(lora.id, [ParentLink(base.id, Relation.finetuned_from),
                                                                  ParentLink(collection.id, Relation.trained_on)])
    image = add_image("cc-by-4.0", title="Made with tiles", creator="Cy")
    studio.link(image, [lora.id], Relation.styled_with)
    window.session.library_changed.emit()
    window.session.select([image])
    window.tabs.setCurrentWidget(window.lineage)
    lineage = window.lineage
    assert set(lineage.nodes) == {image, lora.id, collection.id, base.id}
    assert "2 models/LoRAs, 1 training set" in lineage.summary.text()
    assert {e.label for e in lineage.edges} >= {"trained on", "fine-tuned from"}
    spots = {i: node.pos() for i, node in lineage.nodes.items()}
    assert len({(p.x(), p.y()) for p in spots.values()}) == 4  # no node drawn over another
    assert spots[collection.id].x() < spots[lora.id].x()  # the training set left of the LoRA it fed
