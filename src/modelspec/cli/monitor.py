"""`modelspec monitor DEPLOYMENT --current PATH`: drift and performance against thresholds; exit 1 on a breach."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli.common import require_graph
from modelspec.operations.monitor import FORMATS

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
    type=click.Choice(FORMATS.names),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.pass_context
def command(
    ctx: click.Context, deployment: str, current: Path, reference: Path | None, fmt: str
) -> None:
    """Compare current data with the deployed build's reference; on a breach act on on_breach, exit 1."""
    from modelspec.operations.monitor import monitor_deployment

    project, graph = require_graph()
    result = monitor_deployment(project, graph, deployment, current, reference)
    click.echo(FORMATS.render(fmt, result.report), nl=False)
    if result.action:
        click.echo(result.action, err=True)
    ctx.exit(1 if result.report.breached else 0)
