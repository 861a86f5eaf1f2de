"""`modelspec plan`: what apply would change, against the applied state."""

from __future__ import annotations

import click

from modelspec.cli.common import require_project
from modelspec.cli.views.plan import FORMATS

__all__ = ["command"]


@click.command("plan")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False), help="Save the plan to FILE for `apply`."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS.names),
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
    from modelspec.cli.views import plan as view
    from modelspec.operations.plan import plan, save_plan

    planned = plan(require_project(), lock_timeout=lock_timeout)
    if view.report(ctx, planned):
        ctx.exit(1)
    view.echo_plan(ctx, planned.plan, fmt)
    if out:
        save_plan(planned.plan, out)
        if fmt == "text":
            view.saved(out)
    ctx.exit(2 if detailed_exitcode and planned.plan.has_changes else 0)
