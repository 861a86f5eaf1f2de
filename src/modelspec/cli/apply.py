"""`modelspec apply [PLANFILE]`: execute a plan, asking first unless it was saved or pre-approved."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from modelspec.cli import UserError
from modelspec.cli.common import color_enabled, echo_diagnostics, require_project
from modelspec.diagnostics import Diagnostic, has_errors
from modelspec.plan.model import Plan

if TYPE_CHECKING:
    from modelspec.compile.graph import Graph
    from modelspec.executor import Engine
    from modelspec.project import Project
    from modelspec.state import State, StateBackend
from modelspec.policy import Override, PolicyReport

__all__ = ["command", "read_saved_plan"]

PROMPT = "Apply these changes? Only 'yes' will be accepted"


def read_saved_plan(ctx: click.Context, path: str) -> Plan:
    """The plan saved in path; an unreadable or corrupt file ends the command (exit 1)."""
    from modelspec.plan.saved import loads_plan

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the plan file {path}: {exc}") from None
    saved, diags = loads_plan(text, path)
    if saved is None:
        _echo(ctx, diags)
        ctx.exit(1)
    assert saved is not None
    return saved


def _echo(ctx: click.Context, diags: list[Diagnostic]) -> None:
    if diags:
        echo_diagnostics(diags, color=color_enabled(ctx, err=True), err=True)


def stdin_is_interactive() -> bool:
    return sys.stdin.isatty()


@click.command("apply")
@click.argument("planfile", required=False, type=click.Path(dir_okay=False))
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Seconds to wait for the state lock.",
)
@click.option(
    "--override",
    "override_policies",
    multiple=True,
    metavar="POLICY",
    help="Let the failures of soft-mandatory POLICY through this apply (repeatable; "
    "needs --reason). Recorded in the audit log.",
)
@click.option("--reason", metavar="TEXT", help="Why the overridden policies may fail this once.")
@click.pass_context
def command(
    ctx: click.Context,
    planfile: str | None,
    auto_approve: bool,
    lock_timeout: float,
    override_policies: tuple[str, ...],
    reason: str | None,
) -> None:
    """Apply the changes of a fresh plan, or exactly those of a saved PLANFILE."""
    from modelspec.cli.plan import make_plan, report
    from modelspec.executor import apply
    from modelspec.generate.cache import render_artifacts
    from modelspec.operations.validate import validate_project
    from modelspec.plan import render
    from modelspec.policy import apply_overrides
    from modelspec.state import backend_for

    project = require_project()
    color = color_enabled(ctx)
    overrides = _overrides(override_policies, reason)
    if planfile is None:
        planned = make_plan(project, lock_timeout, overrides)
        report(ctx, planned)
        to_apply, graph, artifacts, backend = (
            planned.plan,
            planned.graph,
            planned.artifacts,
            planned.backend,
        )
        policy, overridden = planned.validation.policy, planned.overridden
        click.echo(render("text", to_apply, color=color), nl=False)
        if not to_apply.has_changes:
            ctx.exit(0)
        if not auto_approve:
            _confirm()
    else:
        to_apply = read_saved_plan(ctx, planfile)
        validation = validate_project(project)  # policies are judged again: a waiver may have expired
        policy, graph = validation.policy, validation.graph
        diags, overridden = apply_overrides(policy, overrides, validation.diagnostics)
        _echo(ctx, diags)
        if has_errors(diags):
            ctx.exit(1)
        backend = backend_for(project)
        artifacts = render_artifacts(graph, project, _read_state(backend))
    governance = {
        "overrides": [o.to_json() for o in overridden],
        "waived": _waived(policy),
    }
    state, diags = apply(
        to_apply,
        graph,
        backend,
        project,
        artifacts=artifacts,
        lock_timeout=lock_timeout,
        audit_extra=governance,
        engine=_engine(project, graph),
    )
    _echo(ctx, diags)
    if has_errors(diags):
        ctx.exit(1)
    s = to_apply.summary
    click.echo(
        click.style("Apply complete!", fg="green", bold=True) if color else "Apply complete!",
        nl=False,
    )
    click.echo(
        f" Resources: {s.create} created, {s.update} updated, {s.replace} replaced, "
        f"{s.delete} deleted. State serial {state.serial}."
    )
    ctx.exit(0)


def _overrides(policies: tuple[str, ...], reason: str | None) -> list[Override]:
    """The overrides asked for, by the current user now; --reason goes with --override."""
    from modelspec.state.lock import current_user, utc_now

    text = " ".join((reason or "").split())
    if policies and not text:
        raise click.UsageError("--override needs --reason TEXT saying why the policy may fail")
    if text and not policies:
        raise click.UsageError("--reason goes with --override POLICY")
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
    """The local engine trains and registers models in apply; other engines only render."""
    if project.config.pipelines.engine != "local":
        return None
    from modelspec.engine.local import LocalEngine

    return LocalEngine(project, graph)


def _read_state(backend: StateBackend) -> State | None:
    from modelspec.state import StateError

    try:
        return backend.read()
    except StateError:
        return None  # apply reads it again under the lock and reports the problem there


def _confirm() -> None:
    if not stdin_is_interactive():
        raise UserError(
            "refusing to apply without confirmation: stdin is not a terminal; "
            "pass --auto-approve, or save a plan with `modelspec plan --out FILE` and apply that"
        )
    answer = click.prompt(PROMPT, default="", show_default=False)
    if answer.strip() != "yes":
        raise UserError("apply cancelled: nothing was changed")
