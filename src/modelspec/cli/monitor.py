"""`modelspec monitor DEPLOYMENT --current PATH`: drift and performance against thresholds; exit 1 on a breach."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.cli.common import require_graph

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
    from modelspec.errors import EngineError
    from modelspec.monitoring.monitor import RENDERERS, act_on_breach, monitor

    project, graph = require_graph()
    try:
        report = monitor(project, graph, deployment, current, reference)
    except EngineError as exc:
        raise UserError(str(exc)) from None
    click.echo(RENDERERS[fmt](report), nl=False)
    action = act_on_breach(project, report)
    if action:
        click.echo(action, err=True)
    ctx.exit(1 if report.breached else 0)
