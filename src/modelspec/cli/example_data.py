"""`modelspec example-data`: rewrite the example project's CSV datasets."""

from __future__ import annotations

from pathlib import Path

import click

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
    from modelspec.operations.example_data import example_data

    written = example_data(out)
    for path in written:
        click.echo(f"wrote {path}")
