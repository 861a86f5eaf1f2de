"""Policy findings: one rule judged on one resource, and the report that collects them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from modelspec.diagnostics import Diagnostic

__all__ = ["BLOCKING_ENFORCEMENTS", "Enforcement", "Finding", "Outcome", "PolicyReport"]

Outcome = Literal["pass", "fail", "waived"]
Enforcement = Literal["advisory", "soft-mandatory", "hard-mandatory"]
BLOCKING_ENFORCEMENTS: frozenset[str] = frozenset({"soft-mandatory", "hard-mandatory"})


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one rule of one policy on one resource.

    message is the rule's message (or its condition in English) with what made the
    outcome, e.g. a stale approval or an expired waiver; `line` adds who and where.
    waiver, justification, approved_by and expires describe the waiver considered
    (approved_by names the approver of a met approval rule instead).
    """

    policy: str  # policy name
    rule: str  # rule id
    resource: str  # address of the resource judged
    enforcement: str
    outcome: Outcome
    message: str
    condition_text: str
    waiver: str | None = None
    justification: str | None = None
    approved_by: str | None = None
    expires: str | None = None
    diagnostic: Diagnostic | None = None

    @property
    def blocking(self) -> bool:
        return self.outcome == "fail" and self.enforcement in BLOCKING_ENFORCEMENTS

    @property
    def line(self) -> str:
        """The one-line form: [policy/rule] model.x: <message> (soft-mandatory)."""
        return f"[{self.policy}/{self.rule}] {self.resource}: {self.message} ({self.enforcement})"

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "rule": self.rule,
            "resource": self.resource,
            "enforcement": self.enforcement,
            "outcome": self.outcome,
            "message": self.message,
            "waiver": self.waiver,
            "justification": self.justification,
            "approved_by": self.approved_by,
            "expires": self.expires,
        }


@dataclass(frozen=True)
class PolicyReport:
    """Every finding, in policy order, and the diagnostics to show (findings' and waivers')."""

    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """Whether a soft- or hard-mandatory rule fails (a waived one does not)."""
        return any(f.blocking for f in self.findings)

    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome == "fail"]

    def results_json(self) -> list[dict[str, Any]]:
        """The plan JSON's policy.results."""
        return [f.to_json() for f in self.findings]
