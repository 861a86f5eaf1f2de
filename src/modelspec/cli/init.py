"""`modelspec init DIR`: write a working example project into DIR."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.examples.scaffold import existing_files, init_project

__all__ = ["command"]

_SHOWN_CLASHES = 5


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
def command(directory: Path, force: bool) -> None:
    """Write an example project into DIRECTORY: specs, JSON Schemas, datasets and a CI workflow.

    The example is a clinical ML team's: two data contracts, a high-risk classifier
    and a regressor, three targets, deployments, policies and a waiver.
    """
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory} is a file, not a directory: choose another path")
    if not force:
        clashes = existing_files(directory)
        if clashes:
            shown = ", ".join(_relative(p, directory) for p in clashes[:_SHOWN_CLASHES])
            more = len(clashes) - _SHOWN_CLASHES
            if more > 0:
                shown += f" and {more} more"
            raise UserError(
                f"{directory} already holds files init would overwrite ({shown}); "
                "nothing was written. Pass --force to overwrite them, or choose an empty directory"
            )
    written = init_project(directory, force=force)
    click.echo(f"Created the example project in {directory}:")
    for path in written:
        click.echo(f"  {_relative(path, directory)}")
    click.echo(_next_steps(directory))


def _relative(path: Path, directory: Path) -> str:
    return path.relative_to(directory).as_posix()


def _next_steps(directory: Path) -> str:
    return f"""
Next steps:
  cd {shlex.quote(str(directory))}
  modelspec validate     check specs, references and policies
  modelspec plan         see what apply would change
  modelspec apply        train, evaluate and register the models; render generated/
  modelspec report --out compliance.html
                         what a compliance reviewer reads
After you change the high-risk classifier, its compliance approval goes stale:
  modelspec approve model.biopsy-malignancy-classifier --role compliance --by YOUR.NAME

Commit the project to git; .github/workflows/modelspec.yml runs validate and plan on
pull requests and apply on merge to main."""
