"""What `modelspec approve` prints: the file it wrote, or why it wrote nothing."""

from __future__ import annotations

from modelspec.approvals import ApprovalRequest, ApprovalWrite
from modelspec.diagnostics import Diagnostic

__all__ = ["refusal", "written"]


def written(write: ApprovalWrite, request: ApprovalRequest) -> str:
    verb = "Wrote" if write.created else "Updated"
    return (
        f"{verb} {write.path}\n"
        f"  {write.subject} approved by {request.approved_by} as {request.role} on "
        f"{request.day.isoformat()} at {write.digest}"
    )


def refusal(problems: list[Diagnostic], address: str) -> str:
    """The one-line error for the problems that name no file (those are printed as diagnostics)."""
    reasons = [f"{d.message} ({d.hint})" if d.hint else d.message for d in problems if not d.file]
    return "; ".join(reasons) or f"{address} was not approved"
