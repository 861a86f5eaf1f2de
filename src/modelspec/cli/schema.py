"""`modelspec schema`: write (or check) the JSON Schemas of every kind."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli import UserError


@click.command("schema")
@click.option(
    "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Directory to write into (default: schemas/ of the project, or ./schemas).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a schema file is missing or stale.")
def command(out: Path | None, check: bool) -> None:
    """Write one JSON Schema (2020-12) per kind, for editors and other tools."""
    from modelspec.operations.schema import schemas

    result = schemas(out, write=not check)
    if check:
        for name in result.stale:
            click.echo(f"stale: {result.out / name}")
        if result.stale:
            raise UserError(f"{len(result.stale)} schema file(s) out of date; run `modelspec schema`")
        click.echo(f"{result.total} schema files up to date in {result.out}")
        return
    click.echo(f"wrote {len(result.stale)} of {result.total} schema files to {result.out}")
