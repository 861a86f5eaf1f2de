"""Apply-time overrides: a named person lifts a soft-mandatory policy's failures for one apply.

An override never touches a hard-mandatory policy: asking for one is an error
(MS409) that explains why. The overridden findings stay visible, as warnings
that name who overrode them and why; the caller records them in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.policy.findings import PolicyReport

__all__ = ["Overridden", "Override", "apply_overrides"]


@dataclass(frozen=True, slots=True)
class Override:
    """What `apply --override POLICY --reason TEXT` asks for, and who asks."""

    policy: str
    reason: str
    user: str
    time: str  # ISO-8601 UTC


@dataclass(frozen=True, slots=True)
class Overridden:
    """An override that lifted findings: the audit log's record of it."""

    override: Override
    findings: tuple[str, ...]  # each finding's one-line form

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.override.policy,
            "reason": self.override.reason,
            "user": self.override.user,
            "time": self.override.time,
            "findings": list(self.findings),
        }


def apply_overrides(
    report: PolicyReport,
    overrides: Sequence[Override],
    diagnostics: Sequence[Diagnostic] | None = None,
) -> tuple[list[Diagnostic], list[Overridden]]:
    """diagnostics (the report's own when left out) with the overridden failures made warnings.

    Refusals are added as diagnostics: an error for a hard-mandatory or unknown
    policy, a warning for an override with nothing to lift.
    """
    out = list(report.diagnostics if diagnostics is None else diagnostics)
    done: list[Overridden] = []
    enforcement = {f.policy: f.enforcement for f in report.findings}
    for override in overrides:
        level = enforcement.get(override.policy)
        if level is None:
            why = "no policy of that name judged any resource"
            out.append(_refusal(override, why, Severity.ERROR))
            continue
        if level == "hard-mandatory":
            out.append(
                _refusal(
                    override,
                    "it is hard-mandatory, and a hard-mandatory policy cannot be overridden",
                    Severity.ERROR,
                    hint="fix what the policy finds, or ask its owner to make it soft-mandatory",
                )
            )
            continue
        lifted = [f for f in report.findings if f.policy == override.policy and f.blocking]
        if not lifted:
            why = "it is advisory" if level == "advisory" else "none of its rules fails"
            out.append(_refusal(override, f"{why}, so it blocks nothing", Severity.WARNING))
            continue
        note = f"; overridden by {override.user}: {override.reason}"
        for finding in lifted:
            if finding.diagnostic is None:
                continue
            lifted_diag = replace(
                finding.diagnostic,
                severity=Severity.WARNING,
                message=finding.diagnostic.message + note,
            )
            out = [lifted_diag if d == finding.diagnostic else d for d in out]
        done.append(Overridden(override, tuple(f.line for f in lifted)))
    return out, done


def _refusal(override: Override, why: str, severity: Severity, hint: str = "") -> Diagnostic:
    verb = "cannot override" if severity is Severity.ERROR else "nothing to override in"
    return Diagnostic(severity, "MS409", f"{verb} policy {override.policy}: {why}", hint=hint)
