"""Whether a saved plan still describes the state and the specs, and stays inside generated/."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from modelspec.compile.graph import Graph
from modelspec.diagnostics import Diagnostic, error
from modelspec.generate.cache import ArtifactContent
from modelspec.plan.model import Plan
from modelspec.state import State

__all__ = ["check_fresh", "check_paths"]


def check_fresh(
    plan: Plan,
    state: State,
    graph: Graph,
    artifacts: Mapping[str, Sequence[ArtifactContent]],
) -> list[Diagnostic]:
    """Why the plan no longer describes this state and these specs ([] when it still does)."""
    hint = "run `modelspec plan` again and review the new plan"
    if plan.lineage != state.lineage:
        return [
            error(
                "MS504",
                f"Saved plan is stale: it was made for state lineage {plan.lineage}, "
                f"the state has lineage {state.lineage}",
                hint,
            )
        ]
    if plan.serial != state.serial:
        return [
            error(
                "MS504",
                f"Saved plan is stale: state serial is {state.serial}, "
                f"the plan was made at {plan.serial}",
                hint,
            )
        ]
    out: list[Diagnostic] = []
    current = {r.address: r.digest for r in graph}
    for address in sorted(set(current) | set(plan.resources)):
        if address not in plan.resources:
            out.append(error("MS504", f"Saved plan is stale: {address} was added since the plan was made", hint))
        elif address not in current:
            out.append(error("MS504", f"Saved plan is stale: {address} was removed since the plan was made", hint))
        elif current[address] != plan.resources[address]:
            out.append(error("MS504", f"Saved plan is stale: the spec of {address} changed since the plan was made", hint))
    for change in plan.changes:
        rendered = {a.path: a.digest for a in artifacts.get(change.address, ())}
        if any(rendered.get(w.path) != w.digest for w in change.writes):
            out.append(
                error(
                    "MS504",
                    f"Saved plan is stale: generated files of {change.address} changed since the plan was made",
                    hint,
                )
            )
    return out


def check_paths(
    plan: Plan, artifacts: Mapping[str, Sequence[ArtifactContent]]
) -> list[Diagnostic]:
    """Every path apply may touch stays inside generated/; checked before anything is written."""
    from modelspec.generate.common import safe_join

    out: list[Diagnostic] = []
    for change in plan.actionable:
        paths = [a.path for a in artifacts.get(change.address, ())] + list(change.deletes)
        for path in paths:
            try:
                safe_join(path)
            except ValueError as exc:
                out.append(error("MS506", f"{change.address}: refusing to write: {exc}"))
    return out


