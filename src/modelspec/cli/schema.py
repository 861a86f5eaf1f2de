"""`modelspec schema`: write (or check) the JSON Schemas of every kind."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.files import write_atomic
from modelspec.project import find_root


@click.command("schema")
@click.option(
    "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Directory to write into (default: schemas/ of the project, or ./schemas).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a schema file is missing or stale.")
def command(out: Path | None, check: bool) -> None:
    """Write one JSON Schema (2020-12) per kind, for editors and other tools."""
    from modelspec.spec.schema import dump_schema, json_schemas

    if out is None:
        root = find_root(Path.cwd())
        out = (root or Path.cwd()) / "schemas"
    wanted = {name: dump_schema(schema) for name, schema in json_schemas().items()}
    stale = [name for name, text in wanted.items() if _read(out / name) != text]
    if check:
        for name in stale:
            click.echo(f"stale: {out / name}")
        if stale:
            raise UserError(f"{len(stale)} schema file(s) out of date; run `modelspec schema`")
        click.echo(f"{len(wanted)} schema files up to date in {out}")
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in stale:
            write_atomic(out / name, wanted[name].encode("utf-8"))
    except OSError as exc:
        raise UserError(f"cannot write schemas to {out}: {exc.strerror}") from None
    click.echo(f"wrote {len(stale)} of {len(wanted)} schema files to {out}")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None
