"""What the CLI commands share: the one way to load the project and its graph, and printing diagnostics.

Every command gets its project from require_project (or its compiled specs
from require_graph): a missing project or broken specs end the command there,
with their diagnostics on stderr and exit 1, so no command loads them by hand.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from modelspec.diagnostics import Diagnostic
from modelspec.project import Project, load_project

if TYPE_CHECKING:
    from modelspec.operations.validate import Graph

__all__ = [
    "color_enabled",
    "echo_diagnostics",
    "echo_errors",
    "require_graph",
    "require_project",
]


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
    repository_path: str = "",
    err: bool = False,
) -> None:
    from modelspec.diagnostics.render import RenderContext, render

    ctx = RenderContext(
        color=color,
        source_line=source_line or (lambda _f, _l: ""),
        files_checked=files_checked,
        repository_path=repository_path,
    )
    click.echo(render(fmt, diagnostics, ctx), nl=False, err=err)


def echo_errors(
    ctx: click.Context,
    diagnostics: Sequence[Diagnostic],
    *,
    source_line: Callable[[str, int], str] | None = None,
) -> None:
    """Diagnostics as text on stderr, when there are any (the command decides the exit code)."""
    if diagnostics:
        echo_diagnostics(
            diagnostics, color=color_enabled(ctx, err=True), source_line=source_line, err=True
        )


def require_project(start: Path | None = None) -> Project:
    """The project around start (the working directory); its diagnostics end the command (exit 1)."""
    project, diags = load_project(start or Path.cwd())
    if project is None:
        echo_errors(click.get_current_context(), diags)
        raise click.exceptions.Exit(1)
    return project


def require_graph(start: Path | None = None) -> tuple[Project, Graph]:
    """The project and its compiled specs; load or compile errors end the command (exit 1)."""
    from modelspec.operations.validate import compile_project

    project = require_project(start)
    compiled = compile_project(project)
    if not compiled.valid:
        echo_errors(
            click.get_current_context(), compiled.diagnostics, source_line=compiled.source_line
        )
        raise click.exceptions.Exit(1)
    return project, compiled.graph


