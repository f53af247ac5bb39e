"""The release gate is the review service, asked for a status rather than made to raise; publishing refusals are
license refusals."""

from __future__ import annotations

from studio.errors import LicenseRefused
from studio.services.approval import ReleaseGate, ReleaseNotApproved
from studio.story.errors import PublishError, PublishRefused


def test_the_gate_answers_with_a_status_and_its_refusal(studio, builder) -> None:
    work = builder.image("Harbour", creator="Mira")
    gate: ReleaseGate = studio.services.review
    assert gate.status(work.id).refusal() is None  # review not required: free to release
    studio.review.set_review_required(True)
    status = gate.status(work.id)
    refusal = status.refusal()
    assert (status.state, status.allows_release) == ("none", False)
    assert isinstance(refusal, ReleaseNotApproved) and isinstance(refusal, LicenseRefused)
    assert [r.code for r in refusal.reasons] == ["release_not_approved"] and "Harbour" in refusal.message
    studio.review.record_decision(work.id, "approved", "Rita")
    assert gate.status(work.id).refusal() is None and studio.review.approval_status(work.id).state == "approved"


def test_a_publish_refusal_is_a_license_refusal_with_its_reasons() -> None:
    refused = PublishRefused("a parent forbids derivatives", reasons=["no_derivatives"], hint="choose another parent")
    assert isinstance(refused, LicenseRefused) and isinstance(refused, PublishError)
    assert refused.exit_code == LicenseRefused.exit_code == 5
    assert refused.reasons == ["no_derivatives"]
    assert str(refused) == "a parent forbids derivatives (choose another parent)"
