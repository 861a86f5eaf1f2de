"""`modelspec init DIR`: write a working example project into DIR."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
def command(directory: Path, force: bool) -> None:
    """Write an example project into DIRECTORY: specs, JSON Schemas, datasets and a CI workflow.

    The example is a clinical ML team's: two data contracts, a high-risk classifier
    and a regressor, three targets, deployments, policies and a waiver.
    """
    from modelspec.cli.views.init import created
    from modelspec.operations.init import init

    written = init(directory, force=force)
    click.echo(created(directory, written))
