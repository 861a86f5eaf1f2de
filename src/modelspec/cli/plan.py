"""`modelspec plan`: what apply would change, against the applied state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.cli.common import color_enabled, echo_diagnostics, require_project
from modelspec.compile.graph import Graph
from modelspec.diagnostics import Diagnostic, has_errors
from modelspec.generate.cache import ArtifactContent
from modelspec.operations.validate import Validation
from modelspec.plan import FORMATS, Plan
from modelspec.policy import Overridden, Override
from modelspec.project import Project
from modelspec.state import LockInfo, State, StateBackend, StateError, backend_for

__all__ = ["Planned", "command", "make_plan", "report"]


@dataclass(frozen=True)
class Planned:
    """A plan and everything it was made from, ready to show or apply."""

    project: Project
    backend: StateBackend
    graph: Graph
    validation: Validation
    state: State
    artifacts: dict[str, list[ArtifactContent]]
    plan: Plan
    diagnostics: list[Diagnostic]
    overridden: list[Overridden] = field(default_factory=list)


def make_plan(
    project: Project, lock_timeout: float, overrides: Sequence[Override] = ()
) -> Planned:
    """Load the specs, read the state under its lock, render artifacts and plan.

    overrides (from `apply --override`) turn a soft-mandatory policy's failures into warnings.
    """
    from modelspec.gcpause import gc_paused

    with gc_paused():  # specs and state are large acyclic data: see modelspec.gcpause
        return _make_plan(project, lock_timeout, overrides)


def _make_plan(project: Project, lock_timeout: float, overrides: Sequence[Override]) -> Planned:
    from modelspec.files import disk_digests
    from modelspec.generate.cache import render_artifacts
    from modelspec.operations.validate import validate_project
    from modelspec.plan import plan
    from modelspec.plan.promotion import check_promotion
    from modelspec.policy import apply_overrides
    from modelspec.state.triggers import read_triggers

    validation = validate_project(project)
    graph = validation.graph
    diags, overridden = apply_overrides(validation.policy, overrides, validation.diagnostics)
    if has_errors(diags):
        empty = Plan("", 0)
        return Planned(
            project, backend_for(project), graph, validation, State.empty(), {}, empty, diags,
            overridden,
        )
    backend = backend_for(project)
    try:
        with backend.lock(LockInfo.new("plan"), lock_timeout):
            state = backend.read()
    except StateError as exc:
        raise UserError(str(exc)) from None
    artifacts = render_artifacts(graph, project, state)
    paths = [p for rs in state.resources.values() for p in rs.artifacts]
    paths += [a.path for arts in artifacts.values() for a in arts]
    result, plan_diags = plan(
        graph,
        state,
        desired_artifacts=artifacts,
        disk_digests=disk_digests(project.generated_dir, paths),
        generated_dir=project.config.generated.strip("/") or "generated",
        retrain=read_triggers(project),
    )
    plan_diags += check_promotion(graph, state)
    policy = {"results": validation.policy.results_json(), "blocking": validation.policy.blocking}
    result = replace(result, policy=policy)
    return Planned(
        project, backend, graph, validation, state, artifacts, result, diags + plan_diags,
        overridden,
    )


def report(ctx: click.Context, planned: Planned) -> None:
    """Print the diagnostics to stderr; stop with exit 1 when one is an error."""
    if planned.diagnostics:
        echo_diagnostics(
            planned.diagnostics,
            color=color_enabled(ctx, err=True),
            source_line=planned.validation.source_line,
            err=True,
        )
    if has_errors(planned.diagnostics):
        click.echo(
            "Error: the plan has errors; nothing can be applied until they are fixed.", err=True
        )
        ctx.exit(1)


@click.command("plan")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False), help="Save the plan to FILE for `apply`."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, markdown for pull-request comments, json for tools.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0 none, 1 error).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Seconds to wait for the state lock.",
)
@click.pass_context
def command(
    ctx: click.Context, out: str | None, fmt: str, detailed_exitcode: bool, lock_timeout: float
) -> None:
    """Compare the specs with the applied state and show what apply would change."""
    from modelspec.files import write_atomic
    from modelspec.plan import render
    from modelspec.plan.saved import dumps_plan

    planned = make_plan(require_project(), lock_timeout)
    report(ctx, planned)
    color = fmt == "text" and color_enabled(ctx)
    click.echo(render(fmt, planned.plan, color=color), nl=False)
    if out:
        try:
            write_atomic(Path(out), dumps_plan(planned.plan).encode("utf-8"))
        except OSError as exc:
            raise UserError(f"cannot write the plan to {out}: {exc}") from None
        if fmt == "text":
            click.echo(
                f"\nSaved the plan to {out}. Apply exactly these changes with `modelspec apply {out}`."
            )
    ctx.exit(2 if detailed_exitcode and planned.plan.has_changes else 0)
