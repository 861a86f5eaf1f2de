"""The graph operation: how the specs depend on each other, as Graphviz dot or Mermaid."""

from __future__ import annotations

from modelspec.compile.graph import Graph
from modelspec.formats import Formats

__all__ = ["FORMATS", "render_graph"]

# `modelspec graph --format`: each renderer takes a Graph and returns the whole text.
FORMATS = Formats(
    "graph",
    {
        "dot": "modelspec.compile.graph_render:render_dot",
        "mermaid": "modelspec.compile.graph_render:render_mermaid",
    },
)


def render_graph(graph: Graph, fmt: str) -> str:
    """The dependency graph in fmt; an unknown format is an UnknownFormat error."""
    return FORMATS.render(fmt, graph)
