"""Release approval as the rest of the studio sees it: a work's approval status, the refusal it implies, and the
`ReleaseGate` publishing and export ask before anything is signed (the review service is the gate)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from studio.core.moments import moment_text
from studio.errors import LicenseRefused
from studio.licensing import Reason
from studio.store.reviews import ReviewDecision

State = Literal["approved", "rejected", "voided", "none"]


class ReleaseNotApproved(LicenseRefused):
    """The library requires a reviewer's approval, and the work has none that still holds."""


@dataclass(frozen=True)
class ApprovalStatus:
    work_id: str
    state: State
    required: bool
    decision: ReviewDecision | None  # the latest decision, whatever it was
    lineage_sha256: str  # the work's lineage now
    title: str = ""  # the work's title, for the refusal's words

    @property
    def allows_release(self) -> bool:
        return self.state == "approved" or not self.required

    @property
    def explanation(self) -> str:
        d = self.decision
        if d is None:
            return "No reviewer has decided on this work yet."
        who = f"{d.reviewer} on {moment_text(d.decided_at)}"
        if self.state == "approved":
            return f"Approved by {who}; the lineage is unchanged since."
        if self.state == "rejected":
            return f"Rejected by {who}" + (f": {d.comment}" if d.comment else ".")
        by = f" ({d.voided_by} changed it)" if d.voided_by else ""
        return (
            f"The approval by {who} was voided: the lineage changed since{by} (a new parent, or an ancestor's "
            "license or terms)."
        )

    def refusal(self) -> ReleaseNotApproved | None:
        """Why the work may not be released (missing, voided or rejected approval where review is required)."""
        if self.allows_release:
            return None
        name = f"“{self.title}” ({self.work_id})"
        d = self.decision
        if self.state == "voided" and d is not None:
            code = "release_approval_voided"
            message = (
                f"the approval of {name} by {d.reviewer} on {moment_text(d.decided_at)} was voided: its lineage "
                "changed since (a new parent, or an ancestor's license or terms)"
            )
            hint = f"review the new report (`studio report {self.work_id}`) and approve it again"
        elif self.state == "rejected" and d is not None:
            code = "release_rejected"
            said = f": {' '.join(d.comment.split())}" if d.comment else ""
            message = f"{name} was rejected by {d.reviewer} on {moment_text(d.decided_at)}{said}"
            hint = "address the reviewer's comment, then ask for a new review"
        else:
            code = "release_not_approved"
            message = f"{name} needs a reviewer's approval before it is released (this library requires review)"
            ref = self.work_id
            hint = f"read `studio report {ref}`, then run `studio review approve {ref} --reviewer NAME`"
        reason = Reason(code=code, message=message, work_id=self.work_id, severity="block", scope="publish")
        return ReleaseNotApproved(message, [reason], hint=hint)


class ReleaseGate(Protocol):
    """Says whether a work may be released (published, exported with credentials) now."""

    def status(self, work_id: str) -> ApprovalStatus: ...


def ensure_released(gate: ReleaseGate, work_id: str) -> ApprovalStatus:
    """The work's status; raises its refusal (ReleaseNotApproved) when it may not be released."""
    status = gate.status(work_id)
    refusal = status.refusal()
    if refusal is not None:
        raise refusal
    return status
