"""Helpers the CLI commands share: finding the project and printing diagnostics."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from modelspec.diagnostics import Diagnostic
from modelspec.project import Project, load_project

if TYPE_CHECKING:
    from modelspec.compile.graph import Graph

__all__ = ["color_enabled", "echo_diagnostics", "require_graph", "require_project"]


def color_enabled(ctx: click.Context, *, err: bool = False) -> bool:
    """Colour when stdout (or stderr) is a terminal, unless --no-color or NO_COLOR said otherwise."""
    obj = ctx.find_root().obj or {}
    if obj.get("color") is False:
        return False
    stream = sys.stderr if err else sys.stdout
    return stream.isatty()


def echo_diagnostics(
    diagnostics: Sequence[Diagnostic],
    *,
    fmt: str = "text",
    color: bool = False,
    source_line: Callable[[str, int], str] | None = None,
    files_checked: int = 0,
    base_uri: str = "",
    err: bool = False,
) -> None:
    from modelspec.diagnostics.render import RenderContext, render

    ctx = RenderContext(
        color=color,
        source_line=source_line or (lambda _f, _l: ""),
        files_checked=files_checked,
        base_uri=base_uri,
    )
    click.echo(render(fmt, diagnostics, ctx), nl=False, err=err)


def require_project() -> Project:
    """The project around the working directory; its diagnostics end the command (exit 1)."""
    project, diags = load_project(Path.cwd())
    if project is None:
        echo_diagnostics(diags, color=color_enabled(click.get_current_context(), err=True), err=True)
        raise click.exceptions.Exit(1)
    return project


def require_graph() -> tuple[Project, Graph]:
    """The project and its compiled specs; load or compile errors end the command (exit 1)."""
    from modelspec.compile import compile_documents, load_specs
    from modelspec.diagnostics import has_errors

    project = require_project()
    loaded = load_specs(project)
    graph, diags = compile_documents(loaded.documents)
    diags = loaded.diagnostics + diags
    if has_errors(diags):
        echo_diagnostics(
            diags,
            color=color_enabled(click.get_current_context(), err=True),
            source_line=loaded.source_line,
            err=True,
        )
        raise click.exceptions.Exit(1)
    return project, graph
