"""`modelspec data validate`: runs a data contract's checks (Great Expectations) on a data file."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli.common import color_enabled, echo_diagnostics, require_project
from modelspec.operations.data_validate import FORMATS


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
    "--format", "fmt", type=click.Choice(FORMATS.names), default="text", show_default=True,
    help="Output format: text for people, json or junit for tools.",
)
@click.pass_context
def validate(ctx: click.Context, contract: str, data_path: Path | None, fmt: str) -> None:
    """Check a data file against CONTRACT; exit 1 when any check fails."""
    from modelspec.operations.data_validate import data_validate

    project = require_project()
    checked = data_validate(project, contract, data_path)
    if checked.result is None or checked.contract is None:
        echo_diagnostics(checked.diagnostics, color=color_enabled(ctx, err=True), err=True)
        ctx.exit(1)
        return
    click.echo(FORMATS.render(fmt, checked.result, checked.contract, checked.shown), nl=False)
    ctx.exit(0 if checked.result.success else 1)
