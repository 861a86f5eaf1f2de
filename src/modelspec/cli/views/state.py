"""What `modelspec state list` and `state show` print, as text or json (format_version 1).

State holds spec values and recorded outputs, so text goes through
safetext (no control character or CI workflow command gets through) and
json spells a NaN or infinite number (a metric, a spec's `.inf`) as the
string "NaN", "Infinity" or "-Infinity", which standard JSON can carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelspec import jsonio
from modelspec.formats import Formats
from modelspec.safetext import inert_json, inert_lines, one_line, visible
from modelspec.state import ResourceState, State

__all__ = [
    "JSON_FORMAT_VERSION",
    "LIST_FORMATS",
    "SHOW_FORMATS",
    "list_json",
    "list_text",
    "show_json",
    "show_text",
]

JSON_FORMAT_VERSION = "1"

# Each list renderer takes a State, each show renderer a ResourceState; they return the whole output.
LIST_FORMATS = Formats(
    "state list",
    {"text": "modelspec.cli.views.state:list_text", "json": "modelspec.cli.views.state:list_json"},
)
SHOW_FORMATS = Formats(
    "state show",
    {"text": "modelspec.cli.views.state:show_text", "json": "modelspec.cli.views.state:show_json"},
)


def list_text(state: State) -> str:
    """Address, kind and short digest in columns; empty when the state holds nothing."""
    if not state.resources:
        return ""
    rows = [
        (one_line(rs.address), one_line(rs.kind), one_line(_short_digest(rs.digest)))
        for rs in state.resources.values()
    ]
    return inert_lines("\n".join(_columns(rows)) + "\n")


def list_json(state: State) -> str:
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "lineage": state.lineage,
        "serial": state.serial,
        "resources": [
            {"address": rs.address, "kind": rs.kind, "name": rs.name, "digest": rs.digest}
            for rs in state.resources.values()
        ],
    }
    return _dump_json(document)


def show_json(rs: ResourceState) -> str:
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "address": rs.address,
        "kind": rs.kind,
        "name": rs.name,
        "digest": rs.digest,
        "depends_on": list(rs.depends_on),
        "outputs": rs.outputs,
        "artifacts": rs.artifacts,
        "spec": rs.spec,
    }
    return _dump_json(document)


def show_text(rs: ResourceState) -> str:
    lines = [
        f"# {one_line(rs.address)}",
        f"kind: {one_line(rs.kind)}",
        f"name: {one_line(rs.name)}",
        f"digest: {one_line(rs.digest)}",
        f"depends_on: {one_line(', '.join(rs.depends_on)) if rs.depends_on else '(none)'}",
    ]
    for title, value in (("outputs", rs.outputs), ("artifacts", rs.artifacts), ("spec", rs.spec)):
        lines.append(f"{title}:" if value else f"{title}: {{}}")
        if value:
            dumped = _yaml(value).rstrip("\n").split("\n")
            lines.extend("  " + visible(line, keep="\t") for line in dumped)
    return inert_lines("\n".join(lines) + "\n")


def _short_digest(digest: str) -> str:
    algorithm, sep, value = digest.partition(":")
    return f"{algorithm}:{value[:12]}" if sep else digest[:12]


def _columns(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _yaml(value: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(value, sort_keys=True, default_flow_style=False, allow_unicode=True)


def _dump_json(value: dict[str, Any]) -> str:
    text = jsonio.dumps(jsonio.spelled(value), sort_keys=True, indent=2, ensure_ascii=False)
    return inert_json(text) + "\n"
