"""What `modelspec approve` prints: the file it wrote, or why it wrote nothing."""

from __future__ import annotations

from modelspec.approvals import ApprovalRequest, ApprovalWrite
from modelspec.diagnostics import Diagnostic
from modelspec.safetext import one_line

__all__ = ["refusal", "written"]


def written(write: ApprovalWrite, request: ApprovalRequest) -> str:
    verb = "Wrote" if write.created else "Updated"
    return (
        f"{verb} {one_line(write.path)}\n"
        f"  {one_line(write.subject)} approved by {one_line(request.approved_by)} as "
        f"{one_line(request.role)} on {request.day.isoformat()} at {one_line(write.digest)}"
    )


def refusal(problems: list[Diagnostic], address: str) -> str:
    """The one-line error for the problems that name no file (those are printed as diagnostics)."""
    reasons = [f"{d.message} ({d.hint})" if d.hint else d.message for d in problems if not d.file]
    return one_line("; ".join(reasons) or f"{address} was not approved")
