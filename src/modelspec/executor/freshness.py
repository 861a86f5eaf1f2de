"""Whether a saved plan still describes the state and the specs, and stays inside generated/."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from modelspec.compile.graph import Graph
from modelspec.diagnostics import Diagnostic, error
from modelspec.generate.cache import ArtifactContent
from modelspec.paths import PathRefused
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
    plan: Plan, artifacts: Mapping[str, Sequence[ArtifactContent]], root: Path
) -> list[Diagnostic]:
    """Every path apply may touch stays inside generated/ (root); checked before anything is written.

    A path must be a plain relative one (generate.common.safe_join), and its
    directory, every symlink followed, must resolve inside root: a symlinked
    directory in generated/ would take a write or a delete outside it. All
    planned paths are checked first, so a refusal leaves nothing half done.
    """
    from modelspec.files import Contained
    from modelspec.generate.common import safe_join

    contained = Contained(root)
    out: list[Diagnostic] = []
    for change in plan.actionable:
        planned = [(a.path, "write") for a in artifacts.get(change.address, ())]
        planned += [(path, "delete") for path in change.deletes]
        for path, action in planned:
            try:
                safe_join(path)
            except ValueError as exc:
                out.append(error("MS506", f"{change.address}: refusing to {action}: {exc}"))
                continue
            try:
                contained.target(path, action=action)
            except PathRefused as exc:
                out.append(error("MS506", f"{change.address}: {exc}"))
    return out
