"""`modelspec graph`: the dependency graph of the specs as Graphviz dot or Mermaid."""

from __future__ import annotations

import click

from modelspec.cli.common import require_graph
from modelspec.operations.graph import FORMATS


@click.command("graph")
@click.option("--format", "fmt", type=click.Choice(FORMATS.names), default="dot", show_default=True)
def command(fmt: str) -> None:
    """Print how the specs depend on each other (model -> contract, deployment -> model and target, ...)."""
    from modelspec.operations.graph import render_graph

    _, graph = require_graph()
    click.echo(render_graph(graph, fmt), nl=False)
