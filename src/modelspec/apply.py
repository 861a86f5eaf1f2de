"""Apply: execute a plan in order, writing generated files atomically and checkpointing state."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from modelspec.compile.graph import Graph, Resource
from modelspec.diagnostics import Diagnostic, Severity
from modelspec.plan.model import Change, Plan
from modelspec.project import Project
from modelspec.state import (
    LockInfo,
    ResourceState,
    State,
    StateBackend,
    StateError,
    append_audit,
    audit_record,
)

__all__ = [
    "ArtifactContent",
    "Engine",
    "EngineError",
    "NoEngine",
    "apply",
    "check_fresh",
    "disk_digests",
    "render_artifacts",
    "write_atomic",
]


class ArtifactContent(Protocol):
    """A rendered file: path relative to generated/, its bytes and their digest."""

    @property
    def path(self) -> str: ...

    @property
    def content(self) -> bytes: ...

    @property
    def digest(self) -> str: ...


class EngineError(Exception):
    """A pipeline step failed; apply stops there and says so."""


class Engine(Protocol):
    """Runs a model's pipeline (validate data, train, evaluate, register) during apply."""

    def build(self, resource: Resource, previous: ResourceState | None) -> dict[str, Any]:
        """Build the model; the outputs to record in state (build number, metrics, ...)."""
        ...


class NoEngine:
    """An engine that runs nothing: pipelines are only rendered."""

    def build(self, resource: Resource, previous: ResourceState | None) -> dict[str, Any]:
        return {}


def _error(code: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, hint=hint)


def render_artifacts(graph: Graph, project: Project) -> dict[str, list[ArtifactContent]]:
    """Every resource's generated files, by address (pure: nothing is written)."""
    from modelspec.generate import RenderContext, render

    ctx = RenderContext(
        project=project.name,
        engine=project.config.pipelines.engine,
        image=project.config.pipelines.image,
        registry_uri=project.config.registry.uri,
    )
    out: dict[str, list[ArtifactContent]] = {}
    for resource in graph:
        refs = graph.refs(resource)
        model = refs.get("model")
        if model is not None and "contract" not in refs:
            contract = graph.refs(model).get("contract")
            if contract is not None:
                refs["contract"] = contract
        out[resource.address] = list(render(resource, refs, ctx))
    return out


def disk_digests(generated_dir: Path, paths: Sequence[str]) -> dict[str, str | None]:
    """The sha256 digest of each generated file as it is on disk; None when it is missing."""
    out: dict[str, str | None] = {}
    for path in sorted(set(paths)):
        try:
            data = (generated_dir / path).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            out[path] = None
        else:
            out[path] = "sha256:" + hashlib.sha256(data).hexdigest()
    return out


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
            _error(
                "MS504",
                f"Saved plan is stale: it was made for state lineage {plan.lineage}, "
                f"the state has lineage {state.lineage}",
                hint,
            )
        ]
    if plan.serial != state.serial:
        return [
            _error(
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
            out.append(_error("MS504", f"Saved plan is stale: {address} was added since the plan was made", hint))
        elif address not in current:
            out.append(_error("MS504", f"Saved plan is stale: {address} was removed since the plan was made", hint))
        elif current[address] != plan.resources[address]:
            out.append(_error("MS504", f"Saved plan is stale: the spec of {address} changed since the plan was made", hint))
    for change in plan.changes:
        rendered = {a.path: a.digest for a in artifacts.get(change.address, ())}
        if any(rendered.get(w.path) != w.digest for w in change.writes):
            out.append(
                _error(
                    "MS504",
                    f"Saved plan is stale: generated files of {change.address} changed since the plan was made",
                    hint,
                )
            )
    return out


def apply(
    plan: Plan,
    graph: Graph,
    backend: StateBackend,
    project: Project,
    *,
    artifacts: Mapping[str, Sequence[ArtifactContent]],
    engine: Engine | None = None,
    lock_timeout: float = 0,
) -> tuple[State, list[Diagnostic]]:
    """Execute the plan under the state lock; returns the state as it now stands.

    The plan is refused when it is stale. Each resource's files are written and
    then the state is checkpointed, so a failure midway leaves a state that is
    true to what was done.
    """
    try:
        lock = backend.lock(LockInfo.new("apply"), lock_timeout)
    except StateError as exc:
        return _last_known(backend, plan), [_error("MS507", str(exc))]
    with lock:
        try:
            state = backend.read()
        except StateError as exc:
            return State.empty(plan.lineage), [_error("MS507", str(exc))]
        if state.serial == 0 and not state.resources and plan.serial == 0:
            state = State.empty(plan.lineage)  # nothing stored yet: the plan's lineage starts it
        diags = check_fresh(plan, state, graph, artifacts) or _check_paths(plan, artifacts)
        if diags or not plan.has_changes:
            return state, diags
        final, diags = _execute(
            plan, graph, state, backend, project, artifacts, engine or NoEngine()
        )
        try:
            _audit(project, plan, final, diags)
        except OSError as exc:  # the apply itself is done and checkpointed: say so, do not fail
            diags.append(
                Diagnostic(Severity.WARNING, "MS505", f"could not append to the audit log: {exc}")
            )
        return final, diags


def _last_known(backend: StateBackend, plan: Plan) -> State:
    """The stored state, read without the lock, for a caller that could not take it."""
    try:
        return backend.read()
    except StateError:
        return State.empty(plan.lineage)


def _check_paths(
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
                out.append(_error("MS506", f"{change.address}: refusing to write: {exc}"))
    return out


def _execute(
    plan: Plan,
    graph: Graph,
    state: State,
    backend: StateBackend,
    project: Project,
    artifacts: Mapping[str, Sequence[ArtifactContent]],
    engine: Engine,
) -> tuple[State, list[Diagnostic]]:
    working = state.bump()
    for done, change in enumerate(plan.actionable):
        try:
            working = _apply_change(change, graph, working, project, artifacts, engine)
            backend.write(working)
        except (OSError, StateError, EngineError) as exc:
            return working if done else state, [
                _error(
                    "MS505",
                    f"apply stopped at {change.address}: {exc}",
                    f"the state records the {done} change(s) applied before it; "
                    "fix the cause and run `modelspec apply` again",
                )
            ]
    return working, []


def _apply_change(
    change: Change,
    graph: Graph,
    state: State,
    project: Project,
    artifacts: Mapping[str, Sequence[ArtifactContent]],
    engine: Engine,
) -> State:
    root = project.generated_dir
    previous = state.resources.get(change.address)
    if change.action == "delete":
        for path in change.deletes:
            remove_file(root, path)
        return state.without(change.address)
    resource = graph.get(change.address)
    if resource is None:  # check_fresh saw the same graph the plan did
        raise StateError(f"{change.address} is in the plan but not in the specs")
    built: dict[str, Any] = {}
    if resource.kind == "Model" and change.action in ("create", "replace"):
        built = engine.build(resource, previous)
    rendered = list(artifacts.get(change.address, ()))
    for artifact in rendered:
        write_atomic(root / artifact.path, artifact.content)
    for path in change.deletes:
        remove_file(root, path)
    return state.with_resource(
        ResourceState(
            address=resource.address,
            kind=resource.kind,
            name=resource.name,
            digest=resource.digest,
            spec=resource.normalized,
            outputs=_outputs(resource, graph, previous, built),
            artifacts={a.path: a.digest for a in sorted(rendered, key=lambda a: a.path)},
            depends_on=tuple(resource.depends_on),
        )
    )


def _outputs(
    resource: Resource, graph: Graph, previous: ResourceState | None, built: dict[str, Any]
) -> dict[str, Any]:
    if resource.kind == "Model":
        kept = dict(previous.outputs) if previous is not None and not built else {}
        return {**kept, **built, "version": resource.spec.get("version")}
    if resource.kind == "Deployment":
        model = graph.refs(resource).get("model")
        return {"model_version": model.spec.get("version") if model is not None else None}
    return {}


def write_atomic(target: Path, content: bytes) -> None:
    """Write through a temp file in the same directory, fsync, then rename over the target."""
    try:
        if target.read_bytes() == content:
            return
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_file(root: Path, path: str) -> None:
    """Remove a generated file and the directories it leaves empty, up to root."""
    target = root / path
    target.unlink(missing_ok=True)
    parent = target.parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:  # not empty, or already gone
            break
        parent = parent.parent


def _audit(project: Project, plan: Plan, state: State, diags: list[Diagnostic]) -> None:
    record = audit_record(
        "apply",
        plan.summary.as_dict(),
        extra={
            "lineage": state.lineage,
            "serial": state.serial,
            "status": "failed" if diags else "ok",
        },
        root=project.root,
    )
    append_audit(project.work_dir / "audit.jsonl", record)
