"""The executor: a plan's changes in order, generated files written atomically, state checkpointed."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import ModelView, Refs
from modelspec.diagnostics import Diagnostic, Severity, error
from modelspec.errors import EngineError
from modelspec.executor.freshness import check_fresh, check_paths
from modelspec.files import generated_target, remove_file, write_atomic
from modelspec.generate.cache import ArtifactContent, render_context, render_key, render_resource
from modelspec.paths import PathRefused
from modelspec.plan.model import Change, Plan
from modelspec.project import Project
from modelspec.state import (
    LockInfo,
    ResourceState,
    State,
    StateBackend,
    StateError,
    audit_record,
)
from modelspec.state.audit import AuditEntry, audit_log_for, start_audit
from modelspec.state.triggers import clear_trigger

__all__ = ["Engine", "NoEngine", "apply", "execute", "state_unavailable"]


class Engine(Protocol):
    """Runs a model's pipeline (validate data, train, evaluate, register) during apply."""

    def build(
        self, resource: Resource, previous: ResourceState | None, state: State
    ) -> dict[str, Any]:
        """Build the model (or deploy, given the state so far); the outputs to record in state."""
        ...


class NoEngine:
    """An engine that runs nothing: pipelines are only rendered."""

    def build(
        self, resource: Resource, previous: ResourceState | None, state: State
    ) -> dict[str, Any]:
        return {}


def apply(
    plan: Plan,
    graph: Graph,
    backend: StateBackend,
    project: Project,
    *,
    artifacts: Mapping[str, Sequence[ArtifactContent]],
    engine: Engine | None = None,
    lock_timeout: float = 0,
    audit_extra: Mapping[str, Any] | None = None,
) -> tuple[State, list[Diagnostic]]:
    """Take the state lock, read the state and execute the plan; the state as it now stands.

    For a caller that holds no lock yet; one that does (the apply operation,
    which plans under it) calls execute with the state it read.
    """
    try:
        lock = backend.lock(LockInfo.new("apply"), lock_timeout)
    except StateError as exc:
        return _last_known(backend, plan), [state_unavailable(exc)]
    with lock:
        try:
            state = backend.read()
        except StateError as exc:
            return State.empty(plan.lineage), [state_unavailable(exc)]
        return execute(
            plan,
            graph,
            state,
            backend,
            project,
            artifacts=artifacts,
            engine=engine,
            audit_extra=audit_extra,
            lock_id=lock.id,
        )


def execute(
    plan: Plan,
    graph: Graph,
    state: State,
    backend: StateBackend,
    project: Project,
    *,
    artifacts: Mapping[str, Sequence[ArtifactContent]],
    engine: Engine | None = None,
    audit_extra: Mapping[str, Any] | None = None,
    lock_id: str | None = None,
) -> tuple[State, list[Diagnostic]]:
    """Execute the plan against state, read under the state lock (lock_id) the caller holds.

    The plan is refused when it is stale or when a path it writes or removes
    leaves generated/. The audit log gets the apply's `started` record (with
    audit_extra: overrides, waived findings) before the first effect, and its
    outcome after the last: a kill in between leaves an `interrupted` entry,
    never an apply with no record. Each resource's files are written and then
    the state is checkpointed, so a failure midway leaves a state that is true
    to what was done.
    """
    if state.serial == 0 and not state.resources and plan.serial == 0:
        state = State.empty(plan.lineage)  # nothing stored yet: the plan's lineage starts it
    diags = check_fresh(plan, state, graph, artifacts) or check_paths(
        plan, artifacts, project.generated_dir
    )
    if diags or not plan.has_changes:
        return state, diags
    try:
        entry = _start_audit(project, backend, plan, state, audit_extra or {}, lock_id)
    except StateError as exc:  # no record, no effect
        return state, [error("MS505", f"apply did not start: {exc}", "nothing was changed")]
    try:
        final, diags = _execute(
            plan, graph, state, backend, project, artifacts, engine or NoEngine()
        )
    except BaseException as exc:  # Ctrl-C, or a bug: still say how this apply ended
        _finish_audit(entry, "failed", None, [f"{type(exc).__name__}: {exc}"])
        raise
    diags += _finish_audit(entry, "failed" if diags else "ok", final, [d.message for d in diags])
    return final, diags


def state_unavailable(exc: StateError) -> Diagnostic:
    """The error of an apply that could not lock or read the state (MS507)."""
    return error("MS507", str(exc))


def _last_known(backend: StateBackend, plan: Plan) -> State:
    """The stored state, read without the lock, for a caller that could not take it."""
    try:
        return backend.read()
    except StateError:
        return State.empty(plan.lineage)


def _execute(
    plan: Plan,
    graph: Graph,
    state: State,
    backend: StateBackend,
    project: Project,
    artifacts: Mapping[str, Sequence[ArtifactContent]],
    engine: Engine,
) -> tuple[State, list[Diagnostic]]:
    """Apply each change in order, checkpointing the state as it goes.

    The state is written after every change that built something (a trained
    model, a moved alias), after any failure, at the end, and otherwise at most
    about once a second: rewriting a 10,000-resource state after each of
    10,000 file renders made apply quadratic. A kill between two checkpoints
    can only lose changes that were file writes, which the next plan finds
    and the next apply redoes.
    """
    working = state.bump()
    written, done = working, 0
    last_write, write_cost = time.monotonic(), 0.0
    for change in plan.actionable:
        try:
            working, built = _apply_change(change, graph, working, project, artifacts, engine)
            done += 1
            now = time.monotonic()
            if built or now - last_write >= max(1.0, 4 * write_cost):
                backend.write(working)
                written, last_write = working, time.monotonic()
                write_cost = last_write - now
            clear_trigger(project, change.address)  # a monitoring trigger is done once applied
        except (OSError, StateError, EngineError, PathRefused) as exc:
            failure = [
                error(
                    "MS505",
                    f"apply stopped at {change.address}: {exc}",
                    f"the state records the {done} change(s) applied before it; "
                    "fix the cause and run `modelspec apply` again",
                )
            ]
            if not done:
                return state, failure
            try:
                if working is not written:
                    backend.write(working)
            except (OSError, StateError) as write_exc:
                failure.append(error("MS505", f"could not checkpoint the state: {write_exc}"))
            return working, failure
    if working is not written:
        try:
            backend.write(working)
        except (OSError, StateError) as exc:
            return written, [error("MS505", f"could not write the final state: {exc}")]
    return working, []


def _apply_change(
    change: Change,
    graph: Graph,
    state: State,
    project: Project,
    artifacts: Mapping[str, Sequence[ArtifactContent]],
    engine: Engine,
) -> tuple[State, bool]:
    """The state after one change, and whether the engine built something for it."""
    root = project.generated_dir
    previous = state.resources.get(change.address)
    if change.action == "delete":
        for path in change.deletes:
            remove_file(root, path)
        return state.without(change.address), False
    resource = graph.get(change.address)
    if resource is None:  # check_fresh saw the same graph the plan did
        raise StateError(f"{change.address} is in the plan but not in the specs")
    built: dict[str, Any] = {}
    if resource.kind == "Deployment" or (
        resource.kind == "Model" and change.action in ("create", "replace")
    ):
        built = engine.build(resource, previous, state)
    outputs = _outputs(resource, graph, previous, built)
    rendered = list(artifacts.get(change.address, ()))
    if resource.kind in ("Model", "Deployment"):
        # a model's cards report the build just made, a deployment's manifests name the build
        rendered = render_resource(resource, graph, project, outputs)
    for artifact in rendered:  # check_paths saw these paths; a symlink made since is refused here
        write_atomic(generated_target(root, artifact.path), artifact.content)
    for path in change.deletes:
        remove_file(root, path)
    return state.with_resource(
        ResourceState(
            address=resource.address,
            kind=resource.kind,
            name=resource.name,
            digest=resource.digest,
            spec=resource.normalized,
            outputs=outputs,
            artifacts={a.path: a.digest for a in sorted(rendered, key=lambda a: a.path)},
            depends_on=tuple(resource.depends_on),
            render_key=render_key(resource, graph, render_context(project), outputs),
        )
    ), bool(built)


def _outputs(
    resource: Resource, graph: Graph, previous: ResourceState | None, built: dict[str, Any]
) -> dict[str, Any]:
    if resource.kind == "Model":
        kept = dict(previous.outputs) if previous is not None and not built else {}
        return {**kept, **built, "version": ModelView(resource).version}
    if resource.kind == "Deployment":
        model = Refs.of(graph, resource).model
        return {**built, "model_version": model.version if model is not None else None}
    return {}


def _start_audit(
    project: Project,
    backend: StateBackend,
    plan: Plan,
    state: State,
    extra: Mapping[str, Any],
    lock_id: str | None,
) -> AuditEntry:
    """Append the apply's `started` record: the plan summary, the lock, the changes to be made."""
    record = audit_record(
        "apply",
        plan.summary.as_dict(),
        extra={
            **extra,
            "lock_id": lock_id,
            "lineage": state.lineage,
            "from_serial": state.serial,
            "changes": [
                {"address": c.address, "actions": list(c.actions)} for c in plan.actionable
            ],
        },
        root=project.root,
    )
    return start_audit(audit_log_for(project.work_dir, backend), record)


def _finish_audit(
    entry: AuditEntry, status: str, state: State | None, errors: list[str]
) -> list[Diagnostic]:
    """Append the apply's outcome; a warning when it cannot be (the log shows it interrupted)."""
    fields: dict[str, Any] = {"errors": errors}
    if state is not None:
        fields.update(lineage=state.lineage, serial=state.serial)
    try:
        entry.finish(status, fields)
    except StateError as exc:  # the apply itself is done and checkpointed: say so, do not fail
        return [
            Diagnostic(
                Severity.WARNING,
                "MS505",
                f"could not complete the audit record: {exc}; the log shows this apply "
                "as interrupted",
            )
        ]
    return []
