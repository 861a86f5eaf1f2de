"""`modelspec show PLANFILE`: render a saved plan as text, markdown or json."""

from __future__ import annotations

import click

from modelspec.cli.views.plan import FORMATS

__all__ = ["command"]


@click.command("show")
@click.argument("planfile", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS.names),
    default="text",
    show_default=True,
    help="text for people, markdown for pull-request comments, json for tools.",
)
@click.pass_context
def command(ctx: click.Context, planfile: str, fmt: str) -> None:
    """Show a plan saved with `modelspec plan --out FILE`."""
    from modelspec.cli.common import echo_errors
    from modelspec.cli.views.plan import echo_plan
    from modelspec.operations.show import show

    saved = show(planfile)
    if saved.plan is None:
        echo_errors(ctx, saved.diagnostics)
        ctx.exit(1)
    assert saved.plan is not None
    echo_plan(ctx, saved.plan, fmt)
