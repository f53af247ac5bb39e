"""The Review tab in the real window: the works waiting for review, the report of the one clicked, Approve and
Reject with the reviewer's name and comment, a lineage change voiding an approval, the tab following the gallery,
and the approval switch refusing a publication in the Publish dialog with the release gate's words."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from ui_helpers import click_work

from studio.app.settings import WindowSettings
from studio.core.types import Relation, percent_to_units
from studio.story.journal import Journal
from studio.ui.main_window import MainWindow
from studio.ui.publish_dialog import PublishDialog
from studio.ui.review_panel import ReviewPanel

WAIT = 20_000


@pytest.fixture
def reviewer_window(open_window, settings_store) -> MainWindow:
    """The window of a user whose settings name them as the creator."""
    settings_store.save(WindowSettings(creator="Rita Reviewer"))
    return open_window()


@pytest.fixture
def chain(reviewer_window, make_image):
    """A root under a remixable license and a remix of it, imported through the window's library."""
    from studio.services.importing import ImportRequest

    studio = reviewer_window.session.studio

    def add(title: str, license_id: str | None, parents: tuple[str, ...] = ()) -> str:
        request = ImportRequest(
            path=make_image(size=(48, 48)),
            title=title,
            creator="Mira",
            license_id=license_id,
            parents=parents,
            rev_share=percent_to_units(5) if not parents else None,
        )
        return studio.importing.import_image(request).work.id

    root = add("Tidepool", "pil-commercial-remix")
    remix = add("Tidepool Remix", None, (root,))
    reviewer_window.session.library_changed.emit()
    return root, remix


def open_review(qtbot, window: MainWindow) -> ReviewPanel:
    panel = window.review_panel
    with qtbot.waitSignal(panel.model.listed, timeout=WAIT):
        window.actions_by_name["show_review"].trigger()
    assert window.tabs.currentWidget() is panel
    return panel


def click_row(qtbot, panel: ReviewPanel, work_id: str) -> None:
    row = panel.model.row_of(work_id)
    assert row is not None, f"{work_id} is not waiting for review"
    index = panel.model.index(row)
    panel.list.scrollTo(index)
    with qtbot.waitSignal(
        panel.model.report_changed, timeout=WAIT, check_params_cb=lambda: panel.model.report is not None
    ):
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=panel.list.visualRect(index).center())


def click_and_wait(qtbot, panel: ReviewPanel, button) -> object:
    with qtbot.waitSignal(panel.model.decided, timeout=WAIT) as decided:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return decided.args[0]


def test_approve_from_the_tab_records_the_report_shown(qtbot, reviewer_window, chain):
    root, remix = chain
    window = reviewer_window
    panel = open_review(qtbot, window)
    assert window.tabs.tabText(window.tabs.indexOf(panel)) == "Review"
    assert window.tabs.indexOf(panel) == window.tabs.indexOf(window.license_panel) + 1
    assert panel.count.text() == "2 works waiting for review"
    assert not panel.approve.isEnabled()  # nothing is under review yet
    click_row(qtbot, panel, remix)
    text = panel.report.toPlainText()
    assert "Tidepool Remix" in text and root in text and remix in text  # the ancestor is in the report shown
    assert panel.reviewer.text() == "Rita Reviewer"  # the creator name from the settings
    shown = panel.model.report.fingerprint
    qtbot.keyClicks(panel.comment, "credits and split checked")
    outcome = click_and_wait(qtbot, panel, panel.approve)
    assert outcome.status.state == "approved"
    assert "Approved “Tidepool Remix” as Rita Reviewer" in panel.message.text()
    assert panel.comment.text() == ""
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT)
    assert panel.model.row_of(remix) is None and panel.count.text() == "1 work waiting for review"
    [decision] = window.session.studio.review.decisions(remix)
    assert (decision.reviewer, decision.comment, decision.report_sha256) == (
        "Rita Reviewer",
        "credits and split checked",
        shown,
    )
    assert window.session.studio.review.approval_status(remix).state == "approved"


def test_reject_with_a_comment_keeps_the_work_waiting(qtbot, reviewer_window, chain):
    _root, remix = chain
    panel = open_review(qtbot, reviewer_window)
    click_row(qtbot, panel, remix)
    panel.reviewer.clear()
    assert not panel.approve.isEnabled() and not panel.reject.isEnabled()  # a decision needs a reviewer
    qtbot.keyClicks(panel.reviewer, "Sam")
    qtbot.keyClicks(panel.comment, "credit the kelp photo")
    outcome = click_and_wait(qtbot, panel, panel.reject)
    assert outcome.status.state == "rejected" and "Rejected “Tidepool Remix”" in panel.message.text()
    qtbot.waitUntil(lambda: "rejected" in (panel.model.index(panel.model.row_of(remix)).data() or ""), timeout=WAIT)
    assert panel.list.currentIndex().row() == panel.model.row_of(remix)  # still the work under review
    latest = reviewer_window.session.studio.review.decisions(remix)[-1]
    assert (latest.decision, latest.reviewer, latest.comment) == ("rejected", "Sam", "credit the kelp photo")
    assert "Rejected by Sam on " in panel.report.toPlainText()  # the report on screen says so now


def test_a_lineage_change_voids_the_approval(qtbot, reviewer_window, chain, make_image):
    _root, remix = chain
    session = reviewer_window.session
    panel = open_review(qtbot, reviewer_window)
    click_row(qtbot, panel, remix)
    click_and_wait(qtbot, panel, panel.approve)
    qtbot.waitUntil(lambda: panel.model.row_of(remix) is None, timeout=WAIT)
    from studio.services.importing import ImportRequest

    kelp = session.studio.importing.import_image(
        ImportRequest(path=make_image(size=(48, 48)), title="Kelp Forest", license_id="pil-commercial-remix")
    ).work.id
    session.studio.link(remix, [kelp], Relation.remix_of)
    session.library_changed.emit()
    qtbot.waitUntil(lambda: panel.model.row_of(remix) is not None, timeout=WAIT)
    assert "approval voided" in panel.model.index(panel.model.row_of(remix)).data()
    qtbot.waitUntil(lambda: "Kelp Forest" in panel.report.toPlainText(), timeout=WAIT)  # the new lineage is shown
    assert session.studio.review.approval_status(remix).state == "voided"


def test_a_decision_on_a_report_changed_meanwhile_is_refused_in_plain_words(qtbot, reviewer_window, chain):
    root, remix = chain
    panel = open_review(qtbot, reviewer_window)
    click_row(qtbot, panel, remix)
    works = reviewer_window.session.studio.library.works
    works.update(root, terms=replace(works.get(root).terms, rev_share=percent_to_units(9)))  # e.g. by the CLI
    with qtbot.waitSignal(panel.model.refused, timeout=WAIT):
        qtbot.mouseClick(panel.approve, Qt.MouseButton.LeftButton)
    assert "no longer matches “Tidepool Remix”" in panel.message.text()
    assert "read it and decide again" in panel.message.text()
    assert reviewer_window.session.studio.review.decisions(remix) == []
    assert "9%" in panel.report.toPlainText() and panel.approve.isEnabled()


def test_the_tab_follows_the_gallerys_selection_and_has_a_shortcut(qtbot, reviewer_window, chain):
    root, remix = chain
    window = reviewer_window
    action = window.actions_by_name["show_review"]
    assert action.shortcut() == QKeySequence("Ctrl+Shift+R") and action.isEnabled()
    panel = open_review(qtbot, window)
    with qtbot.waitSignal(
        panel.model.report_changed, timeout=WAIT, check_params_cb=lambda: panel.model.report is not None
    ):
        click_work(qtbot, window, remix)
    assert panel.list.currentIndex().row() == panel.model.row_of(remix)
    assert "Tidepool Remix" in panel.report.toPlainText()
    window.session.studio.review.record_decision(root, "approved", "Rita")
    window.session.library_changed.emit()
    qtbot.waitUntil(lambda: panel.model.row_of(root) is None, timeout=WAIT)
    click_work(qtbot, window, root)  # approved: nothing to review, the tab stays where it was
    assert panel.model.current_id == remix
    window.tabs.setCurrentWidget(window.lineage)
    assert not panel.isVisible()




def planned(qtbot, window: MainWindow, work_id: str) -> PublishDialog:
    window.session.select([work_id])
    dialog = window.open_publish()
    assert isinstance(dialog, PublishDialog)
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=WAIT)
    return dialog


def test_with_approval_required_an_unapproved_work_is_refused_in_the_publish_dialog(
    qtbot, keyring_env, reviewer_window, chain
):
    root, _remix = chain
    window = reviewer_window
    studio = window.session.studio
    studio.publish_setup.create_wallet()
    # A closed port: the network cannot be reached, so the plan is judged without it and has no gas estimate.
    studio.publish_setup.set_setting("rpc.devnet", "http://127.0.0.1:9")
    panel = open_review(qtbot, window)
    assert not panel.required.isChecked()
    qtbot.mouseClick(panel.required, Qt.MouseButton.LeftButton)
    assert window.session.studio.review.review_required()

    dialog = planned(qtbot, window, root)
    assert dialog.check.plan is not None and not dialog.check.plan.allowed
    assert "“Tidepool” (" in dialog.plan_text.text()
    assert "needs a reviewer's approval before it is released (this library requires review)" in dialog.plan_text.text()
    assert not dialog.confirm.isEnabled() and not dialog.publish_button.isEnabled()
    dialog.close()

    # The tab followed the gallery to the work the dialog was opened for.
    qtbot.waitUntil(lambda: panel.model.report is not None and panel.model.report.work_id == root, timeout=WAIT)
    assert panel.list.currentIndex().row() == panel.model.row_of(root)
    click_and_wait(qtbot, panel, panel.approve)
    dialog = planned(qtbot, window, root)
    assert dialog.check.plan.allowed and "needs a reviewer's approval" not in dialog.plan_text.text()
    assert "The license and royalty engines allow it" in dialog.plan_text.text()
    assert "Gas: estimate unavailable, devnet cannot be reached at http://127.0.0.1:9" in dialog.plan_text.text()
    dialog.close()

    with qtbot.waitSignal(panel.model.report_changed, timeout=WAIT):  # the report shown is rebuilt to say so
        qtbot.mouseClick(panel.required, Qt.MouseButton.LeftButton)
    assert not window.session.studio.review.review_required()
    assert "Release review: approved (not required)" in panel.report.toPlainText()


def test_a_published_work_does_not_count_as_waiting_and_times_read_to_the_minute(qtbot, reviewer_window, chain):
    root, remix = chain
    window = reviewer_window
    Journal(window.session.studio.library.db).record_imported(
        root, "devnet", 1315, ip_id="0x" + "ef" * 20, token_id=1, nft_contract="0x" + "cd" * 20,
        license_terms_ids=(1,), metadata_uri=None, metadata_hash=None, readback={},
    )
    panel = open_review(qtbot, window)
    assert panel.count.text() == "1 work waiting for review"
    assert panel.model.row_of(root) is None and panel.model.row_of(remix) is not None
    click_row(qtbot, panel, remix)
    qtbot.keyClicks(panel.comment, "credit the root")
    click_and_wait(qtbot, panel, panel.reject)
    text = panel.report.toPlainText()
    stamps = re.findall(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?Z?", text)
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", s) for s in stamps), stamps
    assert not re.search(r"\((?:license|parent|training|owner|others)_[a-z_]+\)", text)  # no internal codes
