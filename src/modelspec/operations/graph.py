"""The graph operation: how the specs depend on each other, as Graphviz dot or Mermaid."""

from __future__ import annotations

from modelspec.compile.graph import Graph
from modelspec.compile.graph_render import FORMATS

__all__ = ["FORMATS", "render_graph"]


def render_graph(graph: Graph, fmt: str) -> str:
    """The dependency graph in fmt; an unknown format is an UnknownFormat error."""
    return FORMATS.render(fmt, graph)
