"""Policy: conditions and rules -> findings, with waivers and approvals (pure, no effects)."""

from __future__ import annotations

from modelspec.policy.conditions import ExprProblem, evaluate, lookup
from modelspec.policy.english import describe
from modelspec.policy.evaluate import condition_context, evaluate_policies
from modelspec.policy.findings import Finding, PolicyReport
from modelspec.policy.overrides import Overridden, Override, apply_overrides

__all__ = [
    "ExprProblem",
    "Finding",
    "Overridden",
    "Override",
    "PolicyReport",
    "apply_overrides",
    "condition_context",
    "describe",
    "evaluate",
    "evaluate_policies",
    "lookup",
]
