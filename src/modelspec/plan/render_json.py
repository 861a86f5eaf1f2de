"""The plan as JSON, exactly the contract in DESIGN.md §3: sorted keys, lists never null.

A NaN or infinite number in a spec value (YAML `.inf`, `.nan`) is written as
the string "NaN", "Infinity" or "-Infinity": standard JSON has no such
numbers, and null already means "absent" in a diff.
"""

from __future__ import annotations

from typing import Any

from modelspec import jsonio
from modelspec.plan.model import Change, Drift, Plan
from modelspec.safetext import inert_json

__all__ = ["change_to_dict", "drift_to_dict", "plan_to_dict", "render"]


def change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "address": change.address,
        "kind": change.kind,
        "name": change.name,
        "actions": list(change.actions),
        "reason": change.reason,
        "diffs": [{"path": d.path, "before": d.before, "after": d.after} for d in change.diffs],
        "breaking": change.breaking,
    }


def drift_to_dict(drift: Drift) -> dict[str, Any]:
    return {
        "address": drift.address,
        "path": drift.path,
        "expected": drift.expected,
        "actual": drift.actual,
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": plan.format_version,
        "lineage": plan.lineage,
        "serial": plan.serial,
        "summary": plan.summary.as_dict(),
        "changes": [change_to_dict(c) for c in plan.changes],
        "drift": [drift_to_dict(d) for d in plan.drift],
        "policy": {
            "results": list(plan.policy.get("results") or []),
            "blocking": bool(plan.policy.get("blocking", False)),
        },
    }


def render(plan: Plan, *, color: bool = False) -> str:
    """Byte-identical for the same plan; color is accepted for a uniform interface and ignored."""
    document = jsonio.spelled(plan_to_dict(plan))
    return inert_json(jsonio.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)) + "\n"
