"""`modelspec diff --base GITREF`: spec changes since a git ref, breaking data-contract changes flagged."""

from __future__ import annotations

import click

from modelspec.cli.common import color_enabled, echo_diagnostics, require_project
from modelspec.operations.diff import FORMATS


@click.command("diff")
@click.option("--base", "base", required=True, metavar="GITREF",
              help="Branch, tag or commit to compare the specs with (read from git, no checkout).")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS.names), default="text", show_default=True,
    help="Output format: text for people, markdown for a PR comment, json for tools.",
)
@click.pass_context
def command(ctx: click.Context, base: str, fmt: str) -> None:
    """Show what changed in the specs since GITREF; exit 1 on a breaking change without a major bump."""
    from modelspec.operations.diff import diff_specs

    project = require_project()
    result = diff_specs(project, base)
    if result.report is None:
        echo_diagnostics(result.diagnostics, color=color_enabled(ctx, err=True), err=True)
        ctx.exit(1)
        return
    report = result.report
    click.echo(FORMATS.render(fmt, report), nl=False)
    if fmt == "text" and report.errors:  # text leaves the errors to the diagnostics printer
        echo_diagnostics(
            report.errors, color=color_enabled(ctx, err=True),
            source_line=result.source_line, err=True,
        )
    ctx.exit(1 if report.errors else 0)
