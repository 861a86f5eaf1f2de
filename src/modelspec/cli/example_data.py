"""`modelspec example-data`: rewrite the example project's CSV datasets."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.examples.scaffold import DATA_DIR
from modelspec.project import CONFIG_FILE, find_root

__all__ = ["command"]


@click.command("example-data")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write into. Default: data/ of the current project.",
)
def command(out: Path | None) -> None:
    """Write the example datasets (breast_cancer.csv, diabetes.csv) from scikit-learn's bundled data.

    The files are the same, byte for byte, on every run.
    """
    if out is None:
        root = find_root(Path.cwd())
        if root is None:
            raise UserError(
                f"no {CONFIG_FILE} found in {Path.cwd()} or any parent directory: "
                "run inside a project, or pass --out DIR"
            )
        out = root / DATA_DIR
    from modelspec.examples.data import write_datasets

    for path in write_datasets(out):
        click.echo(f"wrote {path}")
