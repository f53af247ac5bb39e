"""The whole path through the real widgets: import a licensed parent, remix it with the built-in model, see the
lineage and the inherited license, publish both on the devnet, and see a forbidden remix refused with the license
engine's reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from ui_helpers import click_work, press

from studio.app.jobs import JobState
from studio.core.types import Relation, WorkKind
from studio.ui.import_dialog import ImportDialog


def published(qtbot, window, work_id: str) -> str:
    """Publish one work through the Publish dialog (Work ▸ Publish); returns its IP id."""
    window.session.select([work_id])
    dialog = window.open_publish()
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=120_000)
    assert dialog.check.plan is not None and dialog.check.plan.allowed, dialog.plan_text.text()
    dialog.confirm.setChecked(True)
    with qtbot.waitSignal(dialog.published, timeout=120_000):
        qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    dialog.close()
    return dialog.ip_ids()[0]


def test_import_remix_lineage_license_and_publish(qtbot, keyring_env, window, on_devnet, make_image):
    session = window.session
    # File ▸ Import with a license picked in the dialog
    dialog = window.import_files([str(make_image(size=(64, 64)))])
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    dialog.license.setCurrentIndex(dialog.license.findData("pil-commercial-remix"))
    assert dialog.rev_share.isEnabled()
    dialog.rev_share.setValue(5.0)
    qtbot.keyClicks(dialog.title, "Tidepool at Dawn")
    qtbot.keyClicks(dialog.creator, "Mira Okafor")
    with qtbot.waitSignal(session.library_changed, timeout=15_000):
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert window.library.model.rowCount() == 1
    parent = window.library.model.work_at(0)
    assert (parent.title, parent.creator, parent.license_id, parent.terms.rev_share) == (
        "Tidepool at Dawn",
        "Mira Okafor",
        "pil-commercial-remix",
        5_000_000,
    )

    # select it in the gallery and remix it from the create panel
    click_work(qtbot, window, parent.id)
    assert session.selection == (parent.id,)
    panel = window.create_panel
    window.tabs.setCurrentWidget(panel)
    assert not panel.buttons["img2img"].isEnabled()  # no prompt yet
    qtbot.keyClicks(panel.prompt, "a tidepool at dusk")
    assert panel.buttons["img2img"].isEnabled() and not panel.buttons["inpaint"].isEnabled()
    panel.steps.setValue(4)
    panel.lock_seed.setChecked(True)
    panel.seed.setText("7")
    with qtbot.waitSignal(session.work_created, timeout=120_000) as created:
        qtbot.mouseClick(panel.buttons["img2img"], Qt.MouseButton.LeftButton)
    child_id = created.args[0]
    qtbot.waitUntil(lambda: session.selection == (child_id,))
    child = session.studio.work(child_id)
    assert child.recipe.seed == 7 and child.recipe.prompt == "a tidepool at dusk" and child.recipe.mode == "img2img"
    assert window.library.model.rowCount() == 2 and window.library.model.work_at(1).id == child_id

    # the job row shows it done
    job = session.jobs.jobs()[-1]
    assert job.state is JobState.finished
    row = window.jobs.rows[job.id]
    assert row.progress.value() == 100 and row.state.text() == "Done" and not row.cancel.isVisible()

    # the lineage graph: parent above the remix, the model beside it, edges labelled
    window.tabs.setCurrentWidget(window.lineage)
    lineage = window.lineage
    assert lineage.work_id == child_id
    kinds = {node.work.kind for node in lineage.nodes.values()}
    assert {parent.id, child_id} <= set(lineage.nodes) and WorkKind.model in kinds
    labels = {(e.edge.parent_id, e.label) for e in lineage.edges}
    assert (parent.id, "remix of") in labels
    assert any(label == "made with" for _p, label in labels)
    assert lineage.nodes[parent.id].y() < lineage.nodes[child_id].y() and lineage.nodes[child_id].current

    # the license panel: the remix carries its parent's PIL terms
    window.tabs.setCurrentWidget(window.license_panel)
    license_panel = window.license_panel
    assert license_panel.verdict is not None and license_panel.verdict.work_id == child_id
    assert "Remixes inherit <b>PIL Commercial Remix</b>" in license_panel.verdicts.text()
    shares = {s.work_id: s.percent for s in license_panel.chart.slices}
    assert shares[parent.id] == 5.0 and shares[child_id] == 95.0

    # clicking the parent in the graph follows it
    qtbot.mouseClick(
        lineage.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=lineage.view.mapFromScene(lineage.nodes[parent.id].scenePos()),
    )
    qtbot.waitUntil(lambda: session.selection == (parent.id,))
    assert lineage.work_id == parent.id
    assert {e.relation for e in session.studio.parents(child_id)} == {Relation.remix_of, Relation.generated_with}

    # publish on the devnet: the remix waits for its imported parent, which goes first
    studio = session.studio
    try:
        studio.publish_setup.create_wallet()
        session.select([child_id])
        dialog = window.open_publish()
        qtbot.waitUntil(lambda: dialog.check is not None, timeout=120_000)
        assert not dialog.check.plan.allowed and not dialog.publish_button.isEnabled()
        assert "Publish “Tidepool at Dawn”" in dialog.plan_text.text()
        dialog.close()
        parent_ip = published(qtbot, window, parent.id)
        child_ip = published(qtbot, window, child_id)
        assert parent_ip != child_ip
        runner = studio.publish_runner
        assert runner.on_chain(parent.id, "devnet") and runner.on_chain(child_id, "devnet")
        pub = studio.journal.confirmed(child_id, "devnet")
        assert pub.ip_id == child_ip and (pub.readback or {}).get("agrees") is True
    finally:
        window.shutdown()


def test_a_forbidden_remix_is_refused_with_the_reason_shown(qtbot, window, add_image):
    nd = add_image("cc-by-nd-4.0", title="Quiet Grid")
    ok = add_image("cc0-1.0", title="Moss Pattern")
    panel = window.create_panel
    click_work(qtbot, window, nd)
    assert not panel.buttons["img2img"].isEnabled()
    assert "Quiet Grid" in panel.reason.text() and "CC BY-ND 4.0" in panel.reason.text()
    assert "Remix</b> is not allowed" in panel.reason.text()
    assert "CC BY-ND" in panel.buttons["img2img"].toolTip()
    assert panel.start("img2img") == [] and window.session.jobs.jobs() == []  # nothing is queued
    assert not window.actions_by_name["img2img"].isEnabled()  # Create ▸ Remix follows the button
    assert window.actions_by_name["txt2img"].isEnabled()

    click_work(qtbot, window, ok)
    assert not panel.buttons["img2img"].isEnabled()  # allowed, but there is no prompt yet
    panel.prompt.setPlainText("moss at dusk")
    assert panel.buttons["img2img"].isEnabled() and panel.reason.text() == ""
    click_work(qtbot, window, nd, Qt.KeyboardModifier.ControlModifier)  # both: a blend
    assert set(window.session.selection) == {nd, ok}
    assert not panel.buttons["blend"].isEnabled() and "Blend</b> is not allowed" in panel.reason.text()
    window.tabs.setCurrentWidget(window.license_panel)
    assert window.license_panel.verdict.work_id == nd and not window.license_panel.verdict.can_remix
    assert "✗" in window.license_panel.verdicts.text()
