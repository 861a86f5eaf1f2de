"""Diagnostics: a user's mistake as a value with file, line, column and a hint.

Every stage returns diagnostics instead of raising; renderers in this package
turn a list of them into text, json, sarif, github or junit output.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

__all__ = [
    "CODES",
    "Diagnostic",
    "Severity",
    "Suppression",
    "error",
    "error_count",
    "has_errors",
    "sort_key",
    "warning_count",
]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding does not count: a waiver, with who approved it and until when."""

    justification: str
    approved_by: str = ""
    expires: str = ""  # ISO date
    source: str = ""  # what suppressed it, e.g. "waiver.legacy-canary"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about the specs. line and column are 1-based; 0 means unknown."""

    severity: Severity
    code: str
    message: str
    file: str = ""
    line: int = 0
    column: int = 0
    path: str = ""  # JSON pointer into the document ("" is the whole document)
    hint: str = ""
    suppression: Suppression | None = None  # set on waived policy findings

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def with_position(self, file: str, line: int, column: int) -> Diagnostic:
        return replace(self, file=file, line=line, column=column)


def error(code: str, message: str, hint: str = "") -> Diagnostic:
    """An error that belongs to no spec file (a state, a lock, a saved plan)."""
    return Diagnostic(Severity.ERROR, code, message, hint=hint)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.file, d.line, d.column, d.code, d.message)


def error_count(diags: Iterable[Diagnostic]) -> int:
    return sum(1 for d in diags if d.severity is Severity.ERROR)


def warning_count(diags: Iterable[Diagnostic]) -> int:
    return sum(1 for d in diags if d.severity is Severity.WARNING)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


# Stable diagnostic codes: a code, once published, keeps its meaning.
# The title is a short name used by SARIF rules and the docs.
CODES: dict[str, str] = {
    # project and files
    "MS001": "project-config-invalid",
    "MS002": "file-unreadable",
    "MS003": "no-specs-found",
    # YAML loading
    "MS100": "yaml-syntax-error",
    "MS101": "duplicate-key",
    "MS102": "forbidden-tag",
    "MS103": "alias-expansion-limit",
    "MS104": "file-too-large",
    "MS105": "nesting-too-deep",
    "MS106": "document-not-a-mapping",
    # schema of a document
    "MS200": "unsupported-api-version",
    "MS201": "unknown-kind",
    "MS202": "unknown-field",
    "MS203": "missing-field",
    "MS204": "wrong-type",
    "MS205": "invalid-value",
    "MS206": "invalid-name",
    "MS207": "invalid-version",
    "MS208": "invalid-cron",
    "MS209": "inconsistent-fields",
    # references between documents
    "MS300": "duplicate-name",
    "MS301": "unresolved-reference",
    "MS302": "unknown-column",
    "MS303": "estimator-not-allowed",
    "MS304": "unknown-rule",
    "MS305": "reference-cycle",
    "MS306": "estimator-task-mismatch",
    "MS307": "path-outside-project",
    # policies, waivers and approvals
    "MS401": "policy-violation",
    "MS402": "waiver-on-hard-mandatory",
    "MS403": "waiver-expired",
    "MS404": "waiver-expiring-soon",
    "MS405": "stale-approval",
    "MS406": "cel-expression-error",
    "MS407": "promotion-not-allowed",
    "MS408": "promotion-in-same-plan",
    "MS409": "override-refused",
    # plan and apply
    "MS501": "model-version-not-bumped",
    "MS502": "contract-breaking-without-major",
    "MS503": "saved-plan-unreadable",
    "MS504": "saved-plan-stale",
    "MS505": "apply-failed",
    "MS506": "artifact-path-unsafe",
    "MS507": "state-unavailable",
}
