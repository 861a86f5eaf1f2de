"""`plan(graph, state, ...)`: the changes that bring the applied state to the specs. Pure."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import ModelView, Refs
from modelspec.contracts import compat
from modelspec.diagnostics import Diagnostic, Severity
from modelspec.plan.contracts import used_column_changes
from modelspec.plan.model import (
    CREATE,
    DELETE,
    NO_OP,
    REPLACE,
    UPDATE,
    ArtifactWrite,
    AttributeDiff,
    Change,
    Drift,
    Plan,
)
from modelspec.state.model import ResourceState, State
from modelspec.valuediff import diff_values, sentence

__all__ = ["ArtifactLike", "plan"]

# What a Model is trained from: a change under these makes a new version and a new build.
TRAINED_FROM = ("/spec/task", "/spec/data", "/spec/training")
# What changes the inputs or outputs a served model exposes.
INTERFACE = ("/spec/task", "/spec/data/target", "/spec/data/features")
_MAX_REASONS = 3


class ArtifactLike(Protocol):
    """A rendered file: path relative to generated/, and its digest."""

    @property
    def path(self) -> str: ...

    @property
    def digest(self) -> str: ...


def plan(
    graph: Graph,
    state: State,
    *,
    desired_artifacts: Mapping[str, Sequence[ArtifactLike]],
    disk_digests: Mapping[str, str | None],
    retrain: Mapping[str, str] | None = None,
    generated_dir: str = "generated",
) -> tuple[Plan, list[Diagnostic]]:
    """Compare the graph with the state; an error diagnostic means the plan must not be applied.

    disk_digests holds the digest of each generated file as it is on disk
    (None when missing), keyed like artifact paths; paths it lacks count as
    matching what state recorded.
    """
    retrain = retrain or {}
    diags: list[Diagnostic] = []
    drift = _drift(state, disk_digests)
    drifted: dict[str, list[Drift]] = {}
    for d in drift:
        drifted.setdefault(d.address, []).append(d)
    desired_paths = {a.path for arts in desired_artifacts.values() for a in arts}
    run = _Run(graph, state, disk_digests, desired_paths, retrain, generated_dir, diags)

    changes = [
        _delete(state.resources[address], desired_paths)
        for address in _reverse_dependency_order(
            state, [a for a in state.resources if a not in graph]
        )
    ]
    for resource in graph:
        old = state.resources.get(resource.address)
        artifacts = list(desired_artifacts.get(resource.address, ()))
        if old is None:
            change = _create(resource, artifacts)
        else:
            change = _compare(resource, old, artifacts, drifted.get(resource.address, []), run)
        if change.actions == REPLACE:
            run.replaced.add(resource.address)
        changes.append(change)
    result = Plan(
        lineage=state.lineage,
        serial=state.serial,
        changes=tuple(changes),
        drift=tuple(drift),
        resources={r.address: r.digest for r in graph},
    )
    return result, diags


@dataclass
class _Run:
    """What every resource's comparison reads, and what it adds to (replaced, diags)."""

    graph: Graph
    state: State
    disk_digests: Mapping[str, str | None]
    desired_paths: set[str]
    retrain: Mapping[str, str]
    generated_dir: str
    diags: list[Diagnostic]
    replaced: set[str] = field(default_factory=set)


def _drift(state: State, disk_digests: Mapping[str, str | None]) -> list[Drift]:
    out: list[Drift] = []
    for rs in state.resources.values():
        for path, expected in sorted(rs.artifacts.items()):
            if path not in disk_digests:
                continue
            actual = disk_digests[path]
            if actual != expected:
                out.append(Drift(rs.address, path, expected, actual or "missing"))
    return out


def _reverse_dependency_order(state: State, addresses: list[str]) -> list[str]:
    """Dependents before what they depend on; ties by address (Kahn's algorithm)."""
    pending = set(addresses)
    dependents = {a: 0 for a in pending}
    for address in pending:
        for dep in state.resources[address].depends_on:
            if dep in pending and dep != address:
                dependents[dep] += 1
    ready = [a for a, n in dependents.items() if n == 0]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        address = heapq.heappop(ready)
        ordered.append(address)
        for dep in state.resources[address].depends_on:
            if dep in pending and dep != address:
                dependents[dep] -= 1
                if dependents[dep] == 0:
                    heapq.heappush(ready, dep)
    # a cycle in stored state: the rest in address order
    return ordered + sorted(pending - set(ordered))


def _delete(rs: ResourceState, desired_paths: set[str]) -> Change:
    return Change(
        address=rs.address,
        kind=rs.kind,
        name=rs.name,
        actions=DELETE,
        reason=f"{rs.address} is no longer in the specs",
        diffs=tuple(diff_values(_body(rs.spec), None)),
        breaking=rs.kind in ("Model", "DataContract", "Deployment"),
        deletes=tuple(sorted(p for p in rs.artifacts if p not in desired_paths)),
    )


def _create(resource: Resource, artifacts: list[ArtifactLike]) -> Change:
    return Change(
        address=resource.address,
        kind=resource.kind,
        name=resource.name,
        actions=CREATE,
        reason=f"{resource.address} is new",
        diffs=tuple(diff_values(None, _body(resource.normalized))),
        writes=tuple(ArtifactWrite(a.path, a.digest) for a in sorted(artifacts, key=_path)),
    )


def _path(artifact: ArtifactLike) -> str:
    return artifact.path


def _body(document: dict[str, Any]) -> dict[str, Any]:
    """What diffs show: metadata and spec (apiVersion and kind never differ for one address)."""
    return {k: v for k, v in document.items() if k in ("metadata", "spec")}


def _compare(
    resource: Resource,
    old: ResourceState,
    artifacts: list[ArtifactLike],
    drift: list[Drift],
    run: _Run,
) -> Change:
    diffs = diff_values(_body(old.spec), _body(resource.normalized))
    reasons, replace, breaking = _judge(resource, old, diffs, run)
    if not replace:  # a replacement is explained by what it is trained from alone
        reasons.extend(sentence(d) for d in diffs if sentence(d) not in reasons)
    writes, stale = _file_changes(old, artifacts, run)
    for d in drift:
        what = "removed" if d.missing else "hand-edited"
        reasons.append(f"restore {what} {run.generated_dir}/{d.path}")
    if not reasons and (writes or stale):
        paths = [w.path for w in writes] + stale
        reasons.append(
            "generated files change: " + ", ".join(f"{run.generated_dir}/{p}" for p in paths)
        )
    if replace:
        actions = REPLACE
    elif reasons:
        actions = UPDATE
    else:
        actions = NO_OP
    return Change(
        address=resource.address,
        kind=resource.kind,
        name=resource.name,
        actions=actions,
        reason=_join(reasons),
        diffs=tuple(diffs),
        breaking=breaking and actions != NO_OP,
        writes=tuple(writes) if actions != NO_OP else (),
        deletes=tuple(stale),
    )


def _judge(
    resource: Resource, old: ResourceState, diffs: list[AttributeDiff], run: _Run
) -> tuple[list[str], bool, bool]:
    """The kind-specific verdict: (reasons, replace?, breaking?); adds MS501/MS502 to run.diags."""
    reasons: list[str] = []
    replace = breaking = False
    if resource.kind == "Model":
        trained = _trained_from_changes(resource, old, run.graph, run.state, diffs)
        breaking = any(d.path.startswith(INTERFACE) for d in diffs)
        if trained:
            replace = True
            reasons.extend(trained)
            if _same_version(old.spec, resource.normalized):
                run.diags.append(_version_not_bumped(resource, trained[0]))
        retrain_reason = run.retrain.get(resource.address)
        if retrain_reason:
            replace = True
            reasons.insert(0, retrain_reason)
    elif resource.kind == "Deployment":
        reasons.extend(_model_changes(resource, old, run.graph, run.replaced))
        rollback_reason = run.retrain.get(resource.address)  # a monitoring breach: roll back
        if rollback_reason:
            reasons.insert(0, rollback_reason)
    elif resource.kind == "DataContract":
        why = compat.breaking_reasons(old.spec, resource.normalized)
        breaking = bool(why)
        if why and compat.needs_major_bump(old.spec, resource.normalized):
            run.diags.append(_major_not_bumped(resource, why))
    return reasons, replace, breaking


def _file_changes(
    old: ResourceState, artifacts: list[ArtifactLike], run: _Run
) -> tuple[list[ArtifactWrite], list[str]]:
    """Files to write (new, changed, or not as recorded on disk) and recorded files to remove."""
    desired = {a.path: a.digest for a in artifacts}
    writes = [
        ArtifactWrite(path, digest)
        for path, digest in sorted(desired.items())
        if old.artifacts.get(path) != digest or run.disk_digests.get(path, digest) != digest
    ]
    # a file another resource now renders is that resource's to write, not this one's to remove
    stale = sorted(p for p in old.artifacts if p not in desired and p not in run.desired_paths)
    return writes, stale


def _join(reasons: list[str]) -> str:
    if len(reasons) <= _MAX_REASONS:
        return "; ".join(reasons)
    return "; ".join(reasons[:_MAX_REASONS]) + f"; and {len(reasons) - _MAX_REASONS} more"


def _version(document: dict[str, Any]) -> Any:
    return document.get("spec", {}).get("version")


def _same_version(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return bool(_version(old) == _version(new))


def _trained_from_changes(
    resource: Resource, old: ResourceState, graph: Graph, state: State, diffs: list[AttributeDiff]
) -> list[str]:
    """Sentences for every change to what the model is trained from."""
    out = [sentence(d) for d in diffs if d.path.startswith(TRAINED_FROM)]
    new_contract = Refs.of(graph, resource).contract
    old_name = old.spec.get("spec", {}).get("data", {}).get("contract")  # the applied spec's
    old_contract = state.resources.get(str(Address.of("DataContract", old_name)))
    if new_contract is not None and old_contract is not None:
        out.extend(
            used_column_changes(
                resource.normalized, old_contract.spec, new_contract.resource.normalized
            )
        )
    return out


def _model_changes(
    resource: Resource, old: ResourceState, graph: Graph, replaced: set[str]
) -> list[str]:
    """Why a deployment changes because of its model: a new version or a new build of it."""
    model = Refs.of(graph, resource).model
    if model is None:
        return []
    before = old.outputs.get("model_version")
    after = model.version
    if before is not None and before != after:
        return [f"{model.address} version changed: {before} -> {after}"]
    if model.address in replaced:
        return [f"{model.address} gets a new build"]
    return []


def _version_not_bumped(resource: Resource, why: str) -> Diagnostic:
    version = ModelView(resource).version
    message = (
        f"{resource.address} changes what it is trained from ({why}) but keeps version "
        f"{version}: a model version is immutable"
    )
    hint = "give spec.version a new value, e.g. a new minor or major version"
    if resource.document is not None:
        return resource.document.diagnostic("MS501", message, ("spec", "version"), hint=hint)
    return Diagnostic(Severity.ERROR, "MS501", message, path="/spec/version", hint=hint)


def _major_not_bumped(resource: Resource, why: list[str]) -> Diagnostic:
    message = (
        f"{resource.address} makes a breaking change ({'; '.join(why)}) without a new major "
        f"version (still {_version(resource.normalized)})"
    )
    hint = "raise the major part of spec.version, or make the change compatible"
    if resource.document is not None:
        return resource.document.diagnostic(
            "MS502", message, ("spec", "version"), hint=hint
        )
    return Diagnostic(Severity.ERROR, "MS502", message, path="/spec/version", hint=hint)
