"""The plan operation: a project's specs against its applied state -> the whole plan, and saving it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path

from modelspec.compile.graph import Graph
from modelspec.diagnostics import Diagnostic, has_errors
from modelspec.errors import UserError
from modelspec.gcpause import gc_paused
from modelspec.generate.cache import ArtifactContent
from modelspec.operations.validate import Validation, validate_project
from modelspec.plan.model import Plan
from modelspec.policy import Overridden, Override, apply_overrides
from modelspec.project import Project
from modelspec.state import LockInfo, State, StateBackend, StateError, backend_for

__all__ = [
    "Planned",
    "plan",
    "plan_graph",
    "plan_reading",
    "save_plan",
    "validate_with",
]


@dataclass(frozen=True)
class Planned:
    """A plan and everything it was made from, ready to show or apply.

    diagnostics holds validation's (with overrides applied), the planner's and
    the promotion checks'; an error among them means the plan must not be applied.
    """

    project: Project
    backend: StateBackend
    graph: Graph
    validation: Validation
    state: State
    artifacts: dict[str, list[ArtifactContent]]
    plan: Plan
    diagnostics: list[Diagnostic]
    overridden: list[Overridden] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not has_errors(self.diagnostics)


def plan(
    project: Project,
    *,
    lock_timeout: float = 0,
    overrides: Sequence[Override] = (),
    backend: StateBackend | None = None,
) -> Planned:
    """Validate the specs, read the state (under its lock, but for PostgreSQL), render and plan.

    overrides (from `apply --override`) turn a soft-mandatory policy's failures
    into warnings. backend defaults to the project's own. A state that cannot be
    locked or read is a UserError.
    """
    from modelspec.state.backend import plan_needs_lock

    backend = backend or backend_for(project)

    def read_locked() -> State:
        with backend.lock(LockInfo.new("plan"), lock_timeout):
            return backend.read()

    # a shared backend's read is one snapshot: plan takes no lock and writes nothing there
    reader = read_locked if plan_needs_lock(backend) else backend.read
    return plan_reading(project, backend, reader, overrides)


def plan_reading(
    project: Project,
    backend: StateBackend,
    read_state: Callable[[], State],
    overrides: Sequence[Override] = (),
) -> Planned:
    """Validate, then read the state with read_state (only when the specs are valid) and plan.

    `plan` reads under a lock of its own; `apply` passes backend.read, holding its lock
    already. A StateError from read_state is a UserError.
    """
    with gc_paused():  # specs and state are large acyclic data: see modelspec.gcpause
        validation, diags, overridden = validate_with(project, overrides)
        if has_errors(diags):
            return _unplanned(project, backend, validation, diags, overridden)
        try:
            state = read_state()
        except StateError as exc:
            raise UserError(str(exc)) from None
        return _plan_validated(project, backend, validation, state, diags, overridden)


def validate_with(
    project: Project, overrides: Sequence[Override] = ()
) -> tuple[Validation, list[Diagnostic], list[Overridden]]:
    """Validate the specs; the diagnostics with the overridden policies' failures made warnings."""
    validation = validate_project(project)
    diags, overridden = apply_overrides(validation.policy, overrides, validation.diagnostics)
    return validation, diags, overridden


def _plan_validated(
    project: Project,
    backend: StateBackend,
    validation: Validation,
    state: State,
    diagnostics: Sequence[Diagnostic],
    overridden: Sequence[Overridden] = (),
) -> Planned:
    """The plan of valid specs against a state already read; validation's diagnostics come first."""
    from modelspec.engine.pipeline_builds import deployed_by_pipeline
    from modelspec.plan.promotion import check_promotion
    from modelspec.state.triggers import read_triggers

    diags = list(diagnostics)
    graph = validation.graph
    # why a resource must change though its spec did not: a cluster pipeline deployed a new
    # build, or monitoring asked for a retrain or rollback
    reasons = {**deployed_by_pipeline(project, graph, state), **read_triggers(project)}
    result, plan_diags, artifacts = plan_graph(project, graph, state, retrain=reasons)
    plan_diags += check_promotion(graph, state)
    policy = {"results": validation.policy.results_json(), "blocking": validation.policy.blocking}
    return Planned(
        project,
        backend,
        graph,
        validation,
        state,
        artifacts,
        replace(result, policy=policy),
        diags + plan_diags,
        list(overridden),
    )


def plan_graph(
    project: Project,
    graph: Graph,
    state: State,
    *,
    retrain: Mapping[str, str] | None = None,
) -> tuple[Plan, list[Diagnostic], dict[str, list[ArtifactContent]]]:
    """Render the graph's artifacts, read what is on disk and plan: the planner's own step.

    No lock is taken and no policy or promotion check is made; retrain names the
    models marked for retraining (address -> reason).
    """
    from modelspec.files import disk_digests
    from modelspec.generate.cache import render_artifacts
    from modelspec.plan.planner import plan as make_plan

    artifacts = render_artifacts(graph, project, state)
    paths = [p for rs in state.resources.values() for p in rs.artifacts]
    paths += [a.path for arts in artifacts.values() for a in arts]
    result, diags = make_plan(
        graph,
        state,
        desired_artifacts=artifacts,
        disk_digests=disk_digests(project.generated_dir, paths),
        generated_dir=project.config.generated.strip("/") or "generated",
        retrain=retrain,
    )
    return result, diags, artifacts


def save_plan(made: Plan, path: str | PathLike[str]) -> None:
    """Write the plan to path for a later `apply PLANFILE`; a failed write is a UserError."""
    from modelspec.files import write_atomic
    from modelspec.plan.saved import dumps_plan

    try:
        write_atomic(Path(path), dumps_plan(made).encode("utf-8"))
    except OSError as exc:
        raise UserError(f"cannot write the plan to {path}: {exc}") from None


def _unplanned(
    project: Project,
    backend: StateBackend,
    validation: Validation,
    diags: list[Diagnostic],
    overridden: list[Overridden],
) -> Planned:
    """What plan returns when the specs have errors: nothing planned, the diagnostics say why."""
    return Planned(
        project, backend, validation.graph, validation, State.empty(), {}, Plan("", 0), diags,
        overridden,
    )
