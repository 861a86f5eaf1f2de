"""`modelspec validate`: schema, references and policies, every problem at its file:line:col."""

from __future__ import annotations

import click

from modelspec.cli.common import color_enabled, echo_diagnostics, require_project
from modelspec.diagnostics.render import FORMATS


@click.command("validate")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS.names), default="text", show_default=True,
    help="Output format: text for people, json/sarif/github/junit for tools.",
)
@click.pass_context
def command(ctx: click.Context, fmt: str) -> None:
    """Check every spec: schema, names, references and policies."""
    from modelspec.diagnostics.repository import repository_path
    from modelspec.operations.validate import validate_project

    project = require_project()
    result = validate_project(project)
    echo_diagnostics(
        result.diagnostics,
        fmt=fmt,
        color=fmt == "text" and color_enabled(ctx),
        source_line=result.source_line,
        files_checked=len(result.loaded.files),
        # sarif and github name files from the repository root, as GitHub reads them
        repository_path=repository_path(project.root) if fmt in {"sarif", "github"} else "",
    )
    ctx.exit(0 if result.valid else 1)
