"""The audit operations: check the audit log's hash chain (`modelspec audit verify`)."""

from __future__ import annotations

from dataclasses import dataclass

from modelspec.errors import UserError
from modelspec.project import Project
from modelspec.state import StateError, backend_for
from modelspec.state.audit import audit_log_for
from modelspec.state.auditchain import ChainReport, verify_chain

__all__ = ["Verified", "verify_audit"]


@dataclass(frozen=True)
class Verified:
    """The chain check of the project's audit log, and where that log is."""

    where: str
    report: ChainReport


def verify_audit(project: Project) -> Verified:
    """Read the audit log from the state backend (or .modelspec/audit.jsonl) and check its chain."""
    try:
        log = audit_log_for(project.work_dir, backend_for(project))
        return Verified(log.where, verify_chain(log.lines()))
    except StateError as exc:
        raise UserError(str(exc)) from None
