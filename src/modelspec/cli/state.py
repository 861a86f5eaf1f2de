"""`modelspec state list` and `modelspec state show ADDR`: read-only views of the applied state."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from typing import Any

import click
import yaml

from modelspec.cli import UserError
from modelspec.cli.common import require_project
from modelspec.state import ResourceState, State, StateError, backend_for

__all__ = ["command"]

JSON_FORMAT_VERSION = "1"
_FORMATS = click.Choice(["text", "json"])


def _read_state() -> State:
    try:
        return backend_for(require_project()).read()
    except StateError as exc:
        raise UserError(str(exc)) from None


@click.group("state")
def command() -> None:
    """Inspect the state left by the last apply."""


@command.command("list")
@click.option("--format", "fmt", type=_FORMATS, default="text", show_default=True)
def list_command(fmt: str) -> None:
    """List the resources in state: address, kind and short digest."""
    state = _read_state()
    if fmt == "json":
        click.echo(_dump_json(_list_json(state)))
        return
    if not state.resources:
        click.echo("No resources in state.", err=True)
        return
    rows = [(rs.address, rs.kind, _short_digest(rs.digest)) for rs in state.resources.values()]
    click.echo("\n".join(_columns(rows)))


@command.command("show")
@click.argument("address")
@click.option("--format", "fmt", type=_FORMATS, default="text", show_default=True)
def show_command(address: str, fmt: str) -> None:
    """Show one resource in state: digest, outputs, artifacts, spec."""
    state = _read_state()
    rs = state.resources.get(address)
    if rs is None:
        raise UserError(_unknown_address(address, state.addresses))
    if fmt == "json":
        click.echo(_dump_json({"format_version": JSON_FORMAT_VERSION, **_resource_json(rs)}))
    else:
        click.echo(_resource_text(rs), nl=False)


def _unknown_address(address: str, known: Sequence[str]) -> str:
    message = f"no resource {address} in state"
    close = difflib.get_close_matches(address, known, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]}?"
    if not known:
        return f"{message}: the state is empty"
    return f"{message}; `modelspec state list` shows the {len(known)} it holds"


def _short_digest(digest: str) -> str:
    algorithm, sep, value = digest.partition(":")
    return f"{algorithm}:{value[:12]}" if sep else digest[:12]


def _columns(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _list_json(state: State) -> dict[str, Any]:
    return {
        "format_version": JSON_FORMAT_VERSION,
        "lineage": state.lineage,
        "serial": state.serial,
        "resources": [
            {"address": rs.address, "kind": rs.kind, "name": rs.name, "digest": rs.digest}
            for rs in state.resources.values()
        ],
    }


def _resource_json(rs: ResourceState) -> dict[str, Any]:
    return {
        "address": rs.address,
        "kind": rs.kind,
        "name": rs.name,
        "digest": rs.digest,
        "depends_on": list(rs.depends_on),
        "outputs": rs.outputs,
        "artifacts": rs.artifacts,
        "spec": rs.spec,
    }


def _resource_text(rs: ResourceState) -> str:
    lines = [
        f"# {rs.address}",
        f"kind: {rs.kind}",
        f"name: {rs.name}",
        f"digest: {rs.digest}",
        f"depends_on: {', '.join(rs.depends_on) if rs.depends_on else '(none)'}",
    ]
    for title, value in (("outputs", rs.outputs), ("artifacts", rs.artifacts), ("spec", rs.spec)):
        lines.append(f"{title}:" if value else f"{title}: {{}}")
        if value:
            lines.extend("  " + line for line in _yaml(value).splitlines())
    return "\n".join(lines) + "\n"


def _yaml(value: dict[str, Any]) -> str:
    return yaml.safe_dump(value, sort_keys=True, default_flow_style=False, allow_unicode=True)


def _dump_json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
