"""The resource graph as Graphviz dot or Mermaid text (deterministic)."""

from __future__ import annotations

from modelspec.compile.graph import Graph
from modelspec.formats import Formats

__all__ = ["FORMATS", "render_dot", "render_mermaid"]

# `modelspec graph --format`: each renderer takes a Graph and returns the whole text.
FORMATS = Formats(
    "graph",
    {
        "dot": "modelspec.compile.graph_render:render_dot",
        "mermaid": "modelspec.compile.graph_render:render_mermaid",
    },
)

_SHAPES = {
    "DataContract": "cylinder",
    "Model": "box",
    "Target": "house",
    "Deployment": "component",
    "Policy": "note",
    "Waiver": "note",
    "Approval": "note",
}


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(graph: Graph) -> str:
    lines = ["digraph modelspec {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for r in graph:
        label = f"{r.kind}\\n{r.name}"
        lines.append(f"  {_dot_quote(r.address)} [label=\"{label}\", shape={_SHAPES.get(r.kind, 'box')}];")
    for r in graph:
        lines.extend(f"  {_dot_quote(r.address)} -> {_dot_quote(dep)};" for dep in r.depends_on)
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_mermaid(graph: Graph) -> str:
    ids = {r.address: f"n{i}" for i, r in enumerate(graph)}
    lines = ["flowchart LR"]
    for r in graph:
        lines.append(f'  {ids[r.address]}["{r.kind}<br/>{_mermaid_text(r.name)}"]')
    for r in graph:
        lines.extend(f"  {ids[r.address]} --> {ids[dep]}" for dep in r.depends_on if dep in ids)
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")
