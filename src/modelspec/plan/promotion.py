"""Promotion: a Deployment to a target with `promotion_from: X` only takes a model version X has.

A version counts as on X when the state records a Deployment of the same model
on X at that version. On the first apply of a promotion chain nothing is in
state yet: the version is allowed when the same plan also deploys it to X, so a
bootstrap apply that creates staging and prod together works. A Deployment
already in state that moves to a version X only receives in the same plan is
allowed with a warning (MS408): both targets change at once, and the version
has not run on X before. A version that X neither runs nor receives is refused
(MS407).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import DeploymentView, Refs
from modelspec.diagnostics import Diagnostic, Severity
from modelspec.state import State

__all__ = ["Deployed", "check_promotion"]


@dataclass(frozen=True, slots=True, order=True)
class Deployed:
    """A model version running (or to run) on a target, and the Deployment that puts it there."""

    target: str
    model: str
    version: str
    deployment: str  # address


def check_promotion(graph: Graph, state: State) -> list[Diagnostic]:
    """One diagnostic for each Deployment whose model version has not reached its source target."""
    applied = sorted(_applied(state))
    desired = {d.deployment: d for d in _desired(graph)}
    # indexes by (target, model, version): one pass each, so the check stays linear
    applied_keys = {(d.target, d.model, d.version) for d in applied}
    desired_keys = {(d.target, d.model, d.version) for d in desired.values()}
    out: list[Diagnostic] = []
    for deployment in graph.of_kind("Deployment"):
        target = Refs.of(graph, deployment).target
        source = target.promotion_from if target is not None else None
        mine = desired.get(deployment.address)
        if not source or mine is None:
            continue
        key = (source, mine.model, mine.version)
        if key in applied_keys:
            continue
        moving = _applied_version(state, deployment.address)
        if moving == mine.version:
            continue  # already running there: nothing is promoted by this plan
        there = sorted({d.version for d in applied if d.target == source and d.model == mine.model})
        same_plan = key in desired_keys
        if same_plan and moving is None:
            continue  # bootstrap: both targets are created by this plan
        out.append(_diagnostic(deployment, mine, source, there, same_plan))
    return out


def _diagnostic(
    deployment: Resource, mine: Deployed, source: str, there: list[str], same_plan: bool
) -> Diagnostic:
    has = (
        f"target {source} runs {mine.model} {', '.join(there)}"
        if there
        else f"target {source} has no applied deployment of {mine.model}"
    )
    if same_plan:
        code, severity = "MS408", Severity.WARNING
        message = (
            f"{deployment.address} moves to {mine.model} {mine.version} in the same plan that "
            f"brings it to {source} ({has}): the version has not run on {source} before"
        )
        hint = "both targets take the version in this apply; review the plan with that in mind"
    else:
        code, severity = "MS407", Severity.ERROR
        message = (
            f"{deployment.address} cannot take {mine.model} {mine.version}: its target is "
            f"promoted from {source}, and {has}"
        )
        hint = f"deploy {mine.model} {mine.version} to {source} first (or in the same plan)"
    path = ("spec", "model")
    if deployment.document is None:
        return Diagnostic(severity, code, message, hint=hint)
    return deployment.document.diagnostic(code, message, path, hint=hint, severity=severity)


def _desired(graph: Graph) -> Iterable[Deployed]:
    for deployment in graph.of_kind("Deployment"):
        model = Refs.of(graph, deployment).model
        version = model.version if model is not None else None
        if model is not None and version is not None:
            yield Deployed(DeploymentView(deployment).target, model.name, version, deployment.address)


def _applied(state: State) -> Iterable[Deployed]:
    for rs in state.resources.values():
        spec = rs.spec.get("spec", {}) if rs.kind == "Deployment" else {}
        version = rs.outputs.get("model_version")
        if spec and version is not None:
            yield Deployed(str(spec.get("target")), str(spec.get("model")), str(version), rs.address)


def _applied_version(state: State, address: str) -> str | None:
    rs = state.resources.get(address)
    version = rs.outputs.get("model_version") if rs is not None else None
    return None if version is None else str(version)
