"""`modelspec data validate`: runs a data contract's checks (Great Expectations) on a data file."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli.common import color_enabled, echo_diagnostics, require_project
from modelspec.diagnostics import Diagnostic, Severity

REPORT_FORMATS = ("text", "json", "junit")


@click.group("data")
def command() -> None:
    """Work with the data that data contracts describe."""


@command.command("validate")
@click.argument("contract")
@click.option(
    "--data", "data_path", type=click.Path(path_type=Path),
    help="Data file to check (csv, parquet or json). Default: the contract's spec.source.path.",
)
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True,
    help="Output format: text for people, json or junit for tools.",
)
@click.pass_context
def validate(ctx: click.Context, contract: str, data_path: Path | None, fmt: str) -> None:
    """Check a data file against CONTRACT; exit 1 when any check fails."""
    from modelspec.compile import load_graph
    from modelspec.engine import data_validation as dv

    project = require_project()
    graph, load_diags = load_graph(project)
    resource, diags = dv.find_contract(graph, contract)
    if resource is None:
        _fail(ctx, [*[d for d in load_diags if d.is_error], *diags])
        return
    path, fmt_of_data = data_path, None  # a file given by the user: its suffix says the format
    if path is None:
        path, diags = dv.source_path(project.root, resource)
        if path is None:
            _fail(ctx, diags)
            return
        fmt_of_data = resource.spec["source"]["format"]
    shown = _shown(path, project.root)
    try:
        result = dv.validate_file(resource, path, fmt_of_data)
    except dv.DataReadError as exc:
        _fail(ctx, [Diagnostic(Severity.ERROR, "MS002", str(exc))])
        return
    click.echo(dv.render_report(fmt, result, resource, shown), nl=False)
    ctx.exit(0 if result.success else 1)


def _fail(ctx: click.Context, diags: list[Diagnostic]) -> None:
    echo_diagnostics(diags, color=color_enabled(ctx, err=True), err=True)
    ctx.exit(1)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
