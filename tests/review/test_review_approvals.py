"""Release approvals: bound to the report and the lineage, voided by lineage changes, enforced when required."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from studio.core.types import Relation, Terms, percent_to_units
from studio.errors import InvalidInput, LicenseRefused
from studio.report import fingerprint
from studio.services import review
from studio.services.review import ReleaseNotApproved
from studio.store.db import POSTGRESQL


@pytest.fixture
def chain(builder):
    root = builder.image("Dawn", "pil-commercial-remix", creator="Mira", rev_share=5)
    middle = builder.image("Noon", creator="Jonas", parents=[root])
    last = builder.image("Night", creator="Sana", parents=[middle])
    return root, middle, last


def _refusal(studio, work_id: str) -> ReleaseNotApproved:
    with pytest.raises(ReleaseNotApproved) as caught:
        studio.review.ensure_release_allowed(work_id)
    error = caught.value
    assert isinstance(error, LicenseRefused) and error.exit_code != 0
    assert "\n" not in str(error) and error.hint
    return error


def test_release_is_free_until_the_library_requires_review(studio, chain):
    last = chain[-1]
    status = studio.review.ensure_release_allowed(last.id)
    assert (status.state, status.required, status.allows_release) == ("none", False, True)

    studio.review.set_review_required(True)
    assert studio.review.review_required()
    error = _refusal(studio, last.id)
    assert [r.code for r in error.reasons] == ["release_not_approved"]
    assert "needs a reviewer's approval" in error.message and f"studio review approve {last.id}" in error.hint

    studio.review.set_review_required(False)
    assert studio.review.ensure_release_allowed(last.id).state == "none"


def test_an_approval_records_who_when_and_what_was_read(studio, chain):
    last = chain[-1]
    studio.review.set_review_required(True)
    report = studio.review.lineage_report(last.id)
    status = studio.review.record_decision(last.id, "approved", "  Rita   Reviewer ", "credits checked")
    decision = status.decision
    assert status.state == "approved" and status.allows_release
    assert decision.reviewer == "Rita Reviewer" and decision.comment == "credits checked"
    assert decision.report_sha256 == fingerprint(report)
    assert decision.lineage_sha256 == studio.review.lineage_sha256(last.id) == status.lineage_sha256
    assert decision.decided_at.endswith("Z")
    assert studio.review.ensure_release_allowed(last.id).state == "approved"
    # The report shows the decision, and showing it does not change what was approved.
    after = studio.review.lineage_report(last.id)
    assert after.review.state == "approved" and after.review.reviewer == "Rita Reviewer"
    assert fingerprint(after) == decision.report_sha256


def test_a_rejection_refuses_release_with_the_reviewers_words(studio, chain):
    last = chain[-1]
    studio.review.set_review_required(True)
    studio.review.record_decision(last.id, "approved", "Rita")
    studio.review.record_decision(last.id, "rejected", "Sam", "the credit line\nis missing")
    error = _refusal(studio, last.id)
    assert [r.code for r in error.reasons] == ["release_rejected"]
    assert "rejected by Sam" in error.message and "the credit line is missing" in error.message
    assert [d.decision for d in studio.review.decisions(last.id)] == ["approved", "rejected"]


def test_a_new_parent_edge_voids_the_approval(studio, builder, chain):
    last = chain[-1]
    studio.review.set_review_required(True)
    studio.review.record_decision(last.id, "approved", "Rita")
    extra = builder.image("Moss", "cc0-1.0")
    studio.link(last.id, [extra.id], Relation.composite_of)

    status = studio.review.approval_status(last.id)
    assert status.state == "voided" and "voided" in status.explanation
    error = _refusal(studio, last.id)
    assert [r.code for r in error.reasons] == ["release_approval_voided"]
    assert "lineage changed" in error.message
    assert studio.review.record_decision(last.id, "approved", "Rita").state == "approved"


def test_an_ancestors_license_or_terms_change_voids_the_approval(studio, builder, chain):
    root, middle, last = chain
    studio.review.set_review_required(True)
    studio.review.record_decision(last.id, "approved", "Rita")

    # Changes outside the lineage, and a new child of the work, leave it approved.
    builder.image("Unrelated", "cc-by-4.0")
    builder.image("A later remix", parents=[last])
    studio.library.works.update(middle.id, title="Noon (renamed)")
    assert studio.review.approval_status(last.id).state == "approved"

    studio.library.works.update(root.id, terms=replace(root.terms, rev_share=percent_to_units(7)))
    assert studio.review.approval_status(last.id).state == "voided"
    studio.library.works.update(root.id, terms=replace(root.terms, rev_share=percent_to_units(5)))
    # The lineage approved, exactly: a local library's approval holds again. A team library's database voided the
    # approval when the terms changed, for every member to see: a reviewer approves the work again.
    again = "voided" if studio.library.engine == POSTGRESQL else "approved"
    assert studio.review.approval_status(last.id).state == again
    if again == "voided":
        studio.review.record_decision(last.id, "approved", "Rita")

    studio.library.works.update(middle.id, terms=Terms("cc-by-4.0"))
    assert studio.review.approval_status(last.id).state == "voided"
    _refusal(studio, last.id)


def test_a_decision_on_an_outdated_report_is_refused(studio, builder, chain, tmp_path: Path):
    last = chain[-1]
    read = studio.review.write_report(last.id, tmp_path / "read.html")
    assert review.report_fingerprint_in(tmp_path / "read.html") == read.fingerprint
    studio.link(last.id, [builder.image("Late Parent", "cc0-1.0").id], Relation.composite_of)
    with pytest.raises(InvalidInput, match="no longer matches"):
        studio.review.record_decision(last.id, "approved", "Rita", reviewed_fingerprint=read.fingerprint)
    assert studio.review.decisions(last.id) == []
    fresh = studio.review.write_report(last.id, tmp_path / "fresh.json")
    assert review.report_fingerprint_in(tmp_path / "fresh.json") == fresh.fingerprint
    status = studio.review.record_decision(last.id, "approved", "Rita", reviewed_fingerprint=fresh.fingerprint)
    assert status.decision.report_sha256 == fresh.fingerprint


@pytest.mark.parametrize(
    ("reviewer", "comment", "match"),
    [
        ("", None, "reviewer"),
        ("x" * 101, None, "reviewer"),
        ("Rita", "x" * 2001, "comment"),
        ("Ri\x00ta", None, "reviewer"),
    ],
)
def test_bad_decisions_are_refused_and_nothing_is_written(studio, chain, reviewer, comment, match):
    with pytest.raises(InvalidInput, match=match):
        studio.review.record_decision(chain[-1].id, "approved", reviewer, comment)
    assert studio.review.decisions(chain[-1].id) == []


def test_works_waiting_for_review(studio, builder, chain):
    root, middle, last = chain
    studio.review.record_decision(root.id, "approved", "Rita")
    studio.review.record_decision(middle.id, "rejected", "Rita")
    studio.review.record_decision(last.id, "approved", "Rita")
    studio.link(last.id, [builder.image("Late Parent", "cc0-1.0").id], Relation.composite_of)
    states = {s.work_id: s.state for s in studio.review.awaiting_review()}
    late = next(w for w in studio.works() if w.title == "Late Parent")
    assert states == {middle.id: "rejected", last.id: "voided", late.id: "none"}


def _cli(studio, *args: str):
    return CliRunner().invoke(cli, ["--library", str(studio.library.address), *args], catch_exceptions=False)


def test_review_commands(studio, chain, tmp_path: Path):
    root, middle, last = chain
    assert "not required" in _cli(studio, "review", "require").stdout
    assert "required" in _cli(studio, "review", "require", "on").stdout
    assert studio.review.review_required()

    waiting = json.loads(_cli(studio, "review", "list", "--json").stdout)
    assert {w["id"] for w in waiting} == {root.id, middle.id, last.id}
    assert all(w["state"] == "none" and not w["allows_release"] for w in waiting)

    report_file = tmp_path / "r.html"
    assert _cli(studio, "report", last.id, "--output", str(report_file)).exit_code == 0
    approved = _cli(studio, "review", "approve", last.id, "--reviewer", "Rita", "--report", str(report_file))
    assert approved.exit_code == 0 and "approved by Rita" in approved.stdout
    status = json.loads(_cli(studio, "review", "status", last.id, "--json").stdout)
    assert status["state"] == "approved" and status["decision"]["reviewer"] == "Rita"
    assert status["decision"]["report_sha256"] == review.report_fingerprint_in(report_file)

    rejected = _cli(studio, "review", "reject", middle.id, "--reviewer", "Sam", "--comment", "credit missing")
    assert rejected.exit_code == 0
    assert "credit missing" in _cli(studio, "review", "status", middle.id).stdout
    listed = _cli(studio, "review", "list").stdout
    assert middle.id in listed and root.id in listed and last.id not in listed

    no_reviewer = _cli(studio, "review", "approve", root.id)
    assert no_reviewer.exit_code == 2 and "--reviewer" in no_reviewer.stderr
    not_a_report = tmp_path / "notes.html"
    not_a_report.write_text("<html>my notes</html>")
    refused = _cli(studio, "review", "approve", root.id, "--reviewer", "Rita", "--report", str(not_a_report))
    assert refused.exit_code == 2 and "not a Remix Studio report" in refused.stderr
    assert studio.review.approval_status(root.id).state == "none"
