"""Apply: execute a plan in order, writing generated files atomically and checkpointing state."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from modelspec.compile.graph import Graph, Resource, digest_of
from modelspec.diagnostics import Diagnostic, Severity
from modelspec.plan.model import Change, Plan
from modelspec.project import Project
from modelspec.run.triggers import clear_trigger

if TYPE_CHECKING:
    from modelspec.generate import RenderContext
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


def render_artifacts(
    graph: Graph, project: Project, state: State | None = None
) -> dict[str, list[ArtifactContent]]:
    """Every resource's generated files, by address (pure: nothing is written).

    With a state, each resource renders with the outputs recorded for it (a
    model card reports the metrics of the build last applied), and a resource
    whose render key is the one recorded is not rendered at all: its recorded
    paths and digests stand in, and the bytes are rendered only if apply needs
    them (to restore a hand-edited file). That keeps a no-change plan of a
    large project close to the cost of validate.
    """
    ctx = render_context(project)
    recorded = state.resources if state is not None else {}
    out: dict[str, list[ArtifactContent]] = {}
    for resource in graph:
        previous = recorded.get(resource.address)
        outputs = previous.outputs if previous is not None else None
        if previous is not None and previous.render_key == render_key(resource, graph, ctx, outputs):
            lazy = _LazyRender(resource, graph, ctx, outputs)
            out[resource.address] = [
                _RecordedArtifact(path, digest, lazy) for path, digest in previous.artifacts.items()
            ]
        else:
            out[resource.address] = _render(resource, graph, ctx, outputs)
    return out


def render_context(project: Project) -> RenderContext:
    from modelspec.generate import RenderContext

    return RenderContext(
        project=project.name,
        engine=project.config.pipelines.engine,
        image=project.config.pipelines.image,
        registry_uri=project.config.registry.uri,
    )


def render_key(
    resource: Resource, graph: Graph, ctx: RenderContext, outputs: Mapping[str, Any] | None
) -> str:
    """What a resource's artifacts are a function of, as one digest."""
    from modelspec import __version__

    refs = graph.refs(resource)
    return digest_of(
        {
            "modelspec": __version__,
            "resource": resource.digest,
            "refs": {role: ref.digest for role, ref in sorted(refs.items())},
            "context": [ctx.project, ctx.engine, ctx.image, ctx.registry_uri],
            "outputs": dict(outputs or {}),
        }
    )


def render_resource(
    resource: Resource, graph: Graph, project: Project, outputs: Mapping[str, Any] | None
) -> list[ArtifactContent]:
    return _render(resource, graph, render_context(project), outputs)


def _render(
    resource: Resource, graph: Graph, ctx: RenderContext, outputs: Mapping[str, Any] | None
) -> list[ArtifactContent]:
    from modelspec.generate import render

    return list(render(resource, graph.refs(resource), ctx, outputs))


class _LazyRender:
    """Renders one resource's artifacts the first time their bytes are asked for."""

    def __init__(
        self, resource: Resource, graph: Graph, ctx: RenderContext, outputs: Mapping[str, Any] | None
    ) -> None:
        self._args = (resource, graph, ctx, outputs)
        self._by_path: dict[str, bytes] | None = None

    def content(self, path: str) -> bytes:
        if self._by_path is None:
            self._by_path = {a.path: a.content for a in _render(*self._args)}
        return self._by_path[path]


class _RecordedArtifact:
    """An artifact known by its recorded path and digest; its bytes are rendered on demand."""

    def __init__(self, path: str, digest: str, source: _LazyRender) -> None:
        self._path, self._digest, self._source = path, digest, source

    @property
    def path(self) -> str:
        return self._path

    @property
    def digest(self) -> str:
        return self._digest

    @property
    def content(self) -> bytes:
        return self._source.content(self._path)


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
    audit_extra: Mapping[str, Any] | None = None,
) -> tuple[State, list[Diagnostic]]:
    """Execute the plan under the state lock; returns the state as it now stands.

    audit_extra adds fields to the apply's audit record (overrides, waived findings).
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
            _audit(project, plan, final, diags, audit_extra or {})
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
        except (OSError, StateError, EngineError) as exc:
            failure = [
                _error(
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
                failure.append(_error("MS505", f"could not checkpoint the state: {write_exc}"))
            return working, failure
    if working is not written:
        try:
            backend.write(working)
        except (OSError, StateError) as exc:
            return written, [_error("MS505", f"could not write the final state: {exc}")]
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
        built = engine.build(resource, previous)
    outputs = _outputs(resource, graph, previous, built)
    rendered = list(artifacts.get(change.address, ()))
    if resource.kind == "Model":  # its cards report the outputs recorded now (build, metrics)
        rendered = render_resource(resource, graph, project, outputs)
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
        return {**kept, **built, "version": resource.spec.get("version")}
    if resource.kind == "Deployment":
        model = graph.refs(resource).get("model")
        return {**built, "model_version": model.spec.get("version") if model is not None else None}
    return {}


def write_atomic(target: Path, content: bytes) -> None:
    """Write through a temp file in the same directory, fsync, then rename over the target."""
    try:
        if target.read_bytes() == content:
            return
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    # os.open with 0o666 lets the umask decide the mode, as for any file the user
    # writes (mkstemp would make every generated file and report 0600)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
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


def _audit(
    project: Project,
    plan: Plan,
    state: State,
    diags: list[Diagnostic],
    extra: Mapping[str, Any],
) -> None:
    record = audit_record(
        "apply",
        plan.summary.as_dict(),
        extra={
            **extra,
            "lineage": state.lineage,
            "serial": state.serial,
            "status": "failed" if diags else "ok",
        },
        root=project.root,
    )
    append_audit(project.work_dir / "audit.jsonl", record)
