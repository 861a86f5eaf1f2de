"""`modelspec graph`: the dependency graph of the specs as Graphviz dot or Mermaid."""

from __future__ import annotations

import click

from modelspec.cli.common import require_graph


@click.command("graph")
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid"]), default="dot", show_default=True)
def command(fmt: str) -> None:
    """Print how the specs depend on each other (model -> contract, deployment -> model and target, ...)."""
    from modelspec.compile.graph_render import render_dot, render_mermaid

    _, graph = require_graph()
    click.echo(render_dot(graph) if fmt == "dot" else render_mermaid(graph), nl=False)
