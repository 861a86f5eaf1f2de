"""`modelspec apply [PLANFILE]`: execute a plan, asking first unless it was saved or pre-approved."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from modelspec.cli import UserError
from modelspec.cli.common import color_enabled, echo_errors, require_project
from modelspec.diagnostics import has_errors

if TYPE_CHECKING:
    from modelspec.operations.plan import Planned

__all__ = ["command"]


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
    from modelspec.cli.views import apply as view
    from modelspec.cli.views.plan import echo_plan, report
    from modelspec.operations.apply import apply, make_overrides

    project = require_project()
    try:
        overrides = make_overrides(override_policies, reason)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    def confirm(planned: Planned) -> bool:
        """Shown the fresh plan under the lock: its warnings, the plan, then the question."""
        report(ctx, planned)
        echo_plan(ctx, planned.plan)
        if not planned.plan.has_changes or auto_approve:
            return True
        return view.ask(stdin_is_interactive())

    applied = apply(
        project,
        planfile=planfile,
        overrides=overrides,
        lock_timeout=lock_timeout,
        confirm=confirm,
    )
    if applied.planned is not None and not applied.planned.valid:
        report(ctx, applied.planned)
        ctx.exit(1)
    echo_errors(ctx, applied.checks)
    if has_errors(applied.checks):
        ctx.exit(1)
    if applied.outcome == "cancelled":
        raise UserError("apply cancelled: nothing was changed")
    echo_errors(ctx, applied.diagnostics)
    if has_errors(applied.diagnostics):
        ctx.exit(1)
    if applied.outcome == "applied" and applied.plan is not None and applied.state is not None:
        view.complete(applied.plan, applied.state, color=color_enabled(ctx))
    ctx.exit(0)
