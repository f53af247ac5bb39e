"""The Review tab's view-model over a real library: the waiting list and reports built in jobs, decisions bound to
the report shown, a lineage change voiding an approval or refusing a decision, and nothing read while hidden."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from studio.app.review_model import ReviewModel, StateRole, WorkIdRole
from studio.core.types import Relation
from studio.report import fingerprint

WAIT = 20_000


@pytest.fixture
def model(session, qtbot):
    m = ReviewModel(session)
    yield m
    m.close()


def listed(qtbot, model: ReviewModel) -> list[tuple[str, str]]:
    """Show the tab and wait for its list; returns (work id, state) per row."""
    with qtbot.waitSignal(model.listed, timeout=WAIT):
        model.set_active(True)
    return [(model.index(r).data(WorkIdRole), model.index(r).data(StateRole)) for r in range(model.rowCount())]


def reviewed(qtbot, model: ReviewModel, work_id: str):
    with qtbot.waitSignal(model.report_changed, timeout=WAIT, check_params_cb=lambda: model.report is not None):
        model.show(work_id)
    assert model.report is not None and model.report.work_id == work_id
    return model.report


@pytest.fixture
def chain(add_image):
    """A root under a remixable license and a remix of it."""
    root = add_image("pil-commercial-remix", title="Tidepool", creator="Mira")
    remix = add_image(None, title="Tidepool Remix", creator="Theo", parents=(root,))
    return root, remix


def test_the_list_and_the_report_are_built_in_jobs(qtmodeltester, qtbot, session, model, chain):
    root, remix = chain
    rows = listed(qtbot, model)
    assert rows == [(root, "none"), (remix, "none")]  # oldest first: the longest waiting on top
    assert model.index(1).data() == "Tidepool Remix — not reviewed yet"
    assert {j.kind for j in session.jobs.jobs()} == {"review-list"}
    qtmodeltester.check(model, force_py=True)

    shown = reviewed(qtbot, model, remix)
    assert shown.fingerprint == fingerprint(session.studio.review.lineage_report(remix))
    assert shown.title == "Tidepool Remix" and shown.review is not None and shown.review.state == "none"
    assert "Tidepool" in shown.html and root in shown.html  # the ancestor is in the report
    assert "review-report" in {j.kind for j in session.jobs.jobs()}


def test_approving_records_the_fingerprint_shown_and_the_work_leaves_the_list(qtbot, session, model, chain):
    root, remix = chain
    listed(qtbot, model)
    shown = reviewed(qtbot, model, remix)
    with qtbot.waitSignal(model.decided, timeout=WAIT) as decided:
        assert model.decide("approved", "  Rita   Reviewer ", "credits checked") is not None
        assert not model.can_decide()  # one decision at a time
    outcome = decided.args[0]
    assert outcome.status.state == "approved" and outcome.status.decision.reviewer == "Rita Reviewer"
    [decision] = session.studio.review.decisions(remix)
    assert decision.report_sha256 == shown.fingerprint and decision.comment == "credits checked"
    assert model.report.review.state == "approved"  # the report on screen says so now
    qtbot.waitUntil(lambda: model.row_of(remix) is None, timeout=WAIT)
    assert [r.work_id for r in model.rows] == [root]
    assert session.studio.review.approval_status(remix).allows_release


def test_a_rejection_keeps_the_work_waiting_with_the_comment(qtbot, session, model, chain):
    _root, remix = chain
    listed(qtbot, model)
    reviewed(qtbot, model, remix)
    with qtbot.waitSignal(model.decided, timeout=WAIT) as decided:
        model.decide("rejected", "Rita", "the parent's credit line is missing")
    assert decided.args[0].status.state == "rejected"
    qtbot.waitUntil(lambda: model.row_of(remix) is not None and model.rows[model.row_of(remix)].state == "rejected")
    row = model.index(model.row_of(remix))
    assert "rejected" in row.data() and "the parent's credit line is missing" in row.data(Qt.ItemDataRole.ToolTipRole)
    assert session.studio.review.decisions(remix)[-1].comment == "the parent's credit line is missing"


def test_a_new_parent_voids_the_approval_and_the_work_returns_as_voided(qtbot, session, model, chain, add_image):
    _root, remix = chain
    listed(qtbot, model)
    reviewed(qtbot, model, remix)
    with qtbot.waitSignal(model.decided, timeout=WAIT):
        model.decide("approved", "Rita")
    qtbot.waitUntil(lambda: model.row_of(remix) is None, timeout=WAIT)
    other = add_image("pil-commercial-remix", title="Kelp Forest")
    with qtbot.waitSignal(model.listed, timeout=WAIT):
        session.studio.link(remix, [other], Relation.remix_of)
        session.library_changed.emit()
    assert model.rows[model.row_of(remix)].state == "voided"
    assert "voided" in model.index(model.row_of(remix)).data()
    qtbot.waitUntil(lambda: model.report is not None and "Kelp Forest" in model.report.html, timeout=WAIT)


def test_a_decision_on_a_report_outdated_behind_the_tabs_back_is_refused_with_the_new_report(
    qtbot, session, model, chain, add_image
):
    root, remix = chain
    listed(qtbot, model)
    old = reviewed(qtbot, model, remix)
    # Another program (the CLI) changes an ancestor's terms; the window hears nothing of it.
    works = session.studio.library.works
    works.update(root, terms=replace(works.get(root).terms, rev_share=9_000_000))
    with qtbot.waitSignal(model.refused, timeout=WAIT) as refused:
        model.decide("approved", "Rita")
    message = refused.args[0]
    assert "no longer matches" in message and "new report is shown" in message
    assert session.studio.review.decisions(remix) == []  # nothing recorded
    assert model.report.work_id == remix and model.report.fingerprint != old.fingerprint
    assert model.can_decide()
    with qtbot.waitSignal(model.decided, timeout=WAIT):  # deciding on the new report is accepted
        model.decide("approved", "Rita")
    assert session.studio.review.decisions(remix)[-1].report_sha256 == model.report.fingerprint


def test_a_bad_reviewer_name_is_refused_and_the_report_stays(qtbot, session, model, chain):
    _root, remix = chain
    listed(qtbot, model)
    shown = reviewed(qtbot, model, remix)
    with qtbot.waitSignal(model.refused, timeout=WAIT) as refused:
        model.decide("approved", "   ")
    assert "invalid reviewer name" in refused.args[0]
    assert model.report == shown and session.studio.review.decisions(remix) == []


def test_a_hidden_tab_reads_nothing_until_shown_then_follows_the_gallery(qtbot, session, model, chain):
    _root, remix = chain
    model.refresh()
    model.follow(remix)
    session.library_changed.emit()
    assert session.jobs.jobs() == [] and model.rowCount() == 0
    with qtbot.waitSignal(model.current_changed, timeout=WAIT):
        model.set_active(True)  # lists, then reviews the gallery's work waiting for review
    assert model.current_id == remix
    qtbot.waitUntil(lambda: model.report is not None, timeout=WAIT)
    model.set_active(False)
    model.show(None)
    assert model.report is None and not model.can_decide()


def test_the_approval_switch_is_the_librarys_setting(qtbot, session, model, chain):
    _root, remix = chain
    assert not model.required()
    listed(qtbot, model)
    reviewed(qtbot, model, remix)
    with qtbot.waitSignal(model.report_changed, timeout=WAIT):
        model.set_required(True)  # the report on screen is rebuilt to say approval is required
    assert session.studio.review.review_required() and model.report.review.required
    assert not session.studio.review.approval_status(remix).allows_release
    model.set_required(False)
    assert not session.studio.review.review_required()
