"""`modelspec diff --base GITREF`: spec changes since a git ref, breaking data-contract changes flagged."""

from __future__ import annotations

import click

from modelspec.cli.common import color_enabled, echo_diagnostics, require_project

DIFF_FORMATS = ("text", "markdown", "json")


@click.command("diff")
@click.option("--base", "base", required=True, metavar="GITREF",
              help="Branch, tag or commit to compare the specs with (read from git, no checkout).")
@click.option(
    "--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True,
    help="Output format: text for people, markdown for a PR comment, json for tools.",
)
@click.pass_context
def command(ctx: click.Context, base: str, fmt: str) -> None:
    """Show what changed in the specs since GITREF; exit 1 on a breaking change without a major bump."""
    from modelspec.compile import compile_documents, load_specs
    from modelspec.contracts import render_json, render_markdown, render_text
    from modelspec.contracts.gitref import load_specs_at
    from modelspec.contracts.semantic import DiffReport, diff_graphs

    project = require_project()
    at_base, diags = load_specs_at(project.root, project.specs_dir, base)
    if at_base is None:
        echo_diagnostics(diags, color=color_enabled(ctx, err=True), err=True)
        ctx.exit(1)
        return
    before, _ = compile_documents(at_base.documents)  # the base's own problems are not this change's
    loaded = load_specs(project)
    after, compile_diags = compile_documents(loaded.documents)
    report = diff_graphs(base, before, after)
    current = [d for d in (*loaded.diagnostics, *compile_diags) if d.is_error]
    report = DiffReport(base, report.changes, [*current, *report.errors])
    if fmt == "json":
        click.echo(render_json.render(report), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown.render(report), nl=False)
    else:
        click.echo(render_text.render(report), nl=False)
        if report.errors:
            echo_diagnostics(
                report.errors, color=color_enabled(ctx, err=True),
                source_line=loaded.source_line, err=True,
            )
    ctx.exit(1 if report.errors else 0)
