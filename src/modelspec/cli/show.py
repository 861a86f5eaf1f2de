"""`modelspec show PLANFILE`: render a saved plan as text, markdown or json."""

from __future__ import annotations

import click

from modelspec.plan import FORMATS

__all__ = ["command"]


@click.command("show")
@click.argument("planfile", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, markdown for pull-request comments, json for tools.",
)
@click.pass_context
def command(ctx: click.Context, planfile: str, fmt: str) -> None:
    """Show a plan saved with `modelspec plan --out FILE`."""
    from modelspec.cli.apply import read_saved_plan
    from modelspec.cli.common import color_enabled
    from modelspec.plan import render

    saved = read_saved_plan(ctx, planfile)
    color = fmt == "text" and color_enabled(ctx)
    click.echo(render(fmt, saved, color=color), nl=False)
