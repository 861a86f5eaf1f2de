"""The approve operation: a sign-off on a resource's current digest, written as an Approval file."""

from __future__ import annotations

from dataclasses import dataclass, field

from modelspec.approvals import ApprovalRequest, ApprovalWrite, prepare_approval
from modelspec.compile import load_graph
from modelspec.diagnostics import Diagnostic, has_errors
from modelspec.files import write_atomic
from modelspec.project import Project

__all__ = ["Approval", "ApprovalRequest", "approve"]


@dataclass(frozen=True)
class Approval:
    """What approve did: the file it wrote, or why it wrote nothing.

    specs_invalid: the project's specs do not compile (diagnostics are theirs);
    otherwise diagnostics are the reasons the approval could not be written.
    """

    write: ApprovalWrite | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    specs_invalid: bool = False


def approve(project: Project, request: ApprovalRequest) -> Approval:
    """Prepare the Approval for a request and write it atomically; nothing is written on an error."""
    graph, diags = load_graph(project)
    if has_errors(diags):
        return Approval(None, diags, specs_invalid=True)
    approvals_dir = project.specs_dir / "approvals"
    taken_files = (
        {p.relative_to(project.root).as_posix() for p in approvals_dir.iterdir()}
        if approvals_dir.is_dir()
        else set()
    )
    specs_dir = project.specs_dir.relative_to(project.root).as_posix()
    write, problems = prepare_approval(
        graph, request, specs_dir=specs_dir, taken_files=taken_files
    )
    if write is None:
        return Approval(None, problems)
    write_atomic(project.root / write.path, write.text.encode("utf-8"))
    return Approval(write, problems)
