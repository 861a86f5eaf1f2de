"""The apply operation: under the state lock from first to last, plan (or read a saved plan) and execute it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from modelspec.diagnostics import Diagnostic, has_errors
from modelspec.errors import UserError
from modelspec.operations.plan import Planned, plan_reading, validate_with
from modelspec.plan.model import Plan
from modelspec.policy import Overridden, Override, PolicyReport
from modelspec.project import Project
from modelspec.state import LockInfo, State, StateBackend, StateError, backend_for

if TYPE_CHECKING:
    from modelspec.compile.graph import Graph
    from modelspec.executor import Engine
    from modelspec.generate.cache import ArtifactContent

__all__ = ["Applied", "Confirm", "Outcome", "apply", "make_overrides"]

Outcome = Literal["invalid", "refused", "no-changes", "cancelled", "applied"]

# Shown a fresh plan (under the lock) before anything changes; False cancels the apply.
Confirm = Callable[[Planned], bool]


@dataclass(frozen=True)
class Applied:
    """What an apply did, or why it did nothing.

    outcome: "invalid" when the saved plan, the specs or the plan have errors
    (see planned or checks), "refused" when the state could not be locked or
    read for a saved plan (MS507 in diagnostics), "no-changes" when a fresh
    plan had nothing to do, "cancelled" when confirm said no, "applied" when
    the plan went to the executor (whose errors are in diagnostics).
    """

    outcome: Outcome
    plan: Plan | None = None
    planned: Planned | None = None  # the fresh plan, when apply made one
    checks: list[Diagnostic] = field(default_factory=list)  # a saved plan's and its validation's
    state: State | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)  # the executor's

    @property
    def ok(self) -> bool:
        return self.outcome in ("no-changes", "applied") and not has_errors(self.diagnostics)


def apply(
    project: Project,
    *,
    planfile: str | None = None,
    overrides: Sequence[Override] = (),
    lock_timeout: float = 0,
    confirm: Confirm | None = None,
    backend: StateBackend | None = None,
) -> Applied:
    """Apply a fresh plan, or exactly the one saved in planfile, holding the state lock throughout.

    The lock is taken before the specs are loaded, so a second writer is refused
    at once whatever the project's size. A fresh plan reads the state under that
    lock and is passed to confirm (when given) before anything changes.
    Policies are judged again for a saved plan: a waiver may have expired since.
    A state that cannot be locked or read is a UserError for a fresh plan (as
    `plan` reports it) and an MS507 diagnostic for a saved one (as the executor
    reports it).
    """
    from modelspec.executor import state_unavailable
    from modelspec.operations.show import read_saved_plan

    backend = backend or backend_for(project)
    if planfile is None:
        try:
            lock = backend.lock(LockInfo.new("apply"), lock_timeout)
        except StateError as exc:
            raise UserError(str(exc)) from None
        with lock:
            return _apply_fresh(project, backend, overrides, confirm, lock.id)
    saved = read_saved_plan(planfile)
    if saved.plan is None:
        return Applied("invalid", checks=saved.diagnostics)
    try:
        lock = backend.lock(LockInfo.new("apply"), lock_timeout)
    except StateError as exc:
        return Applied("refused", saved.plan, diagnostics=[state_unavailable(exc)])
    with lock:
        return _apply_saved(project, backend, saved.plan, overrides, lock.id)


def _apply_fresh(
    project: Project,
    backend: StateBackend,
    overrides: Sequence[Override],
    confirm: Confirm | None,
    lock_id: str,
) -> Applied:
    planned = plan_reading(project, backend, backend.read, overrides)
    if not planned.valid:
        return Applied("invalid", planned.plan, planned)
    if confirm is not None and not confirm(planned):
        return Applied("cancelled", planned.plan, planned)
    if not planned.plan.has_changes:
        return Applied("no-changes", planned.plan, planned, state=planned.state)
    return _execute(
        project, backend, planned.plan, planned.graph, planned.state, planned.artifacts,
        planned.validation.policy, planned.overridden, lock_id, planned=planned,
    )


def _apply_saved(
    project: Project,
    backend: StateBackend,
    saved: Plan,
    overrides: Sequence[Override],
    lock_id: str,
) -> Applied:
    from modelspec.executor import state_unavailable
    from modelspec.generate.cache import render_artifacts

    validation, diags, overridden = validate_with(project, overrides)
    if has_errors(diags):
        return Applied("invalid", saved, checks=diags)
    try:
        state = backend.read()
    except StateError as exc:
        return Applied("refused", saved, checks=diags, diagnostics=[state_unavailable(exc)])
    artifacts = render_artifacts(validation.graph, project, state)
    return _execute(
        project, backend, saved, validation.graph, state, artifacts, validation.policy,
        overridden, lock_id, checks=diags,
    )


def _execute(
    project: Project,
    backend: StateBackend,
    to_apply: Plan,
    graph: Graph,
    state: State,
    artifacts: dict[str, list[ArtifactContent]],
    policy: PolicyReport,
    overridden: Sequence[Overridden],
    lock_id: str,
    *,
    planned: Planned | None = None,
    checks: list[Diagnostic] | None = None,
) -> Applied:
    """Run the executor with the lock lock_id held; overrides and waived findings go to the audit log."""
    from modelspec.executor.execute import execute

    governance = {"overrides": [o.to_json() for o in overridden], "waived": _waived(policy)}
    final, diags = execute(
        to_apply,
        graph,
        state,
        backend,
        project,
        artifacts=artifacts,
        audit_extra=governance,
        engine=_engine(project, graph),
        lock_id=lock_id,
    )
    return Applied("applied", to_apply, planned, checks or [], final, diags)


def make_overrides(policies: Sequence[str], reason: str | None) -> list[Override]:
    """The overrides asked for, by the current user now; ValueError when --reason is missing or alone."""
    from modelspec.state.lock import current_user, utc_now

    text = " ".join((reason or "").split())
    if policies and not text:
        raise ValueError("--override needs --reason TEXT saying why the policy may fail")
    if text and not policies:
        raise ValueError("--reason goes with --override POLICY")
    user, now = current_user(), utc_now()
    return [Override(p, text, user, now) for p in dict.fromkeys(policies)]


def _waived(policy: PolicyReport) -> list[dict[str, object]]:
    """The waived findings this apply let through, for the audit log."""
    return [
        {k: v for k, v in f.to_json().items() if k != "outcome"}
        for f in policy.findings
        if f.outcome == "waived"
    ]


def _engine(project: Project, graph: Graph) -> Engine | None:
    """The local engine trains and registers models in apply; with the other engines a cluster
    pipeline does, and apply records the builds it deployed (engine/pipeline_builds.py)."""
    if project.config.pipelines.engine != "local":
        from modelspec.engine.pipeline_builds import PipelineEngine

        return PipelineEngine(project, graph)
    from modelspec.engine.local import LocalEngine

    return LocalEngine(project, graph)

