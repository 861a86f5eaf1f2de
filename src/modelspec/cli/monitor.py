"""`modelspec monitor DEPLOYMENT --current PATH`: drift and performance against thresholds; exit 1 on a breach."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.cli.common import color_enabled, echo_diagnostics, require_project
from modelspec.diagnostics import has_errors

__all__ = ["command"]


@click.command("monitor")
@click.argument("deployment")
@click.option(
    "--current",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The data the deployment sees now (csv, parquet or json).",
)
@click.option(
    "--reference",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Reference data. Default the deployed build's training data summary.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.pass_context
def command(
    ctx: click.Context, deployment: str, current: Path, reference: Path | None, fmt: str
) -> None:
    """Compare current data with the deployed build's reference; on a breach act on on_breach, exit 1."""
    from modelspec.apply import EngineError
    from modelspec.compile import load_graph
    from modelspec.run.monitor import RENDERERS, act_on_breach, monitor

    project = require_project()
    graph, diags = load_graph(project)
    if has_errors(diags):
        echo_diagnostics(diags, color=color_enabled(ctx, err=True), err=True)
        ctx.exit(1)
    try:
        report = monitor(project, graph, deployment, current, reference)
    except EngineError as exc:
        raise UserError(str(exc)) from None
    click.echo(RENDERERS[fmt](report), nl=False)
    action = act_on_breach(project, report)
    if action:
        click.echo(action, err=True)
    ctx.exit(1 if report.breached else 0)
