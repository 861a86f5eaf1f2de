"""The report operation: the compliance report from the specs, the state and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from modelspec import clock
from modelspec.diagnostics import Diagnostic
from modelspec.errors import UserError
from modelspec.files import write_atomic
from modelspec.operations.validate import validate_project
from modelspec.project import Project
from modelspec.report import FORMATS, Report, build_report
from modelspec.state import StateError, backend_for, read_audit
from modelspec.state.audit import audit_log_for

__all__ = ["FORMATS", "load_report", "report_format", "write_report"]


def load_report(
    project: Project, *, today: date | None = None, generated_at: datetime | None = None
) -> tuple[Report, list[Diagnostic]]:
    """Read the specs, the state and the audit log; the validation's diagnostics come along."""
    now = generated_at or clock.utc_now()
    day = today or clock.today()
    validation = validate_project(project, today=day)
    diags = list(validation.diagnostics)
    # a report without its deployments or history would be signed as complete: refuse instead
    try:
        backend = backend_for(project)
        state = backend.read()
        audit = read_audit(audit_log_for(project.work_dir, backend))
    except StateError as exc:
        raise UserError(
            f"{exc}; no report is made, since one without the deployments or the history "
            "of what was applied would mislead whoever signs it"
        ) from None
    report = build_report(
        validation.graph,
        validation.policy,
        state,
        audit,
        project=project.name,
        today=day,
        generated_at=now,
        diagnostics=diags,
    )
    return report, diags


def report_format(fmt: str | None, out: str | None) -> str:
    """The format asked for; else html when --out names an .html file, markdown otherwise."""
    if fmt:
        return fmt
    return "html" if out and Path(out).suffix.lower() in (".html", ".htm") else "markdown"


def write_report(text: str, out: str) -> None:
    """Write the rendered report to the file out names, atomically; a failure is the user's to fix."""
    try:
        write_atomic(Path(out), text.encode("utf-8"))
    except OSError as exc:
        raise UserError(f"cannot write the report to {out}: {exc}") from None
