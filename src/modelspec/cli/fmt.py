"""`modelspec fmt`: rewrite spec files in their canonical layout, keeping comments."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("fmt")
@click.option(
    "--check", is_flag=True, help="Write nothing; list files that would change, exit 1 if any."
)
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def command(check: bool, show_diff: bool, paths: tuple[Path, ...]) -> None:
    """Rewrite spec files in canonical layout (comments, quotes and flow style are kept).

    Without PATHS, formats modelspec.yaml and every *.yaml / *.yml under the specs directory.
    """
    from modelspec.cli.views import fmt as view
    from modelspec.operations.fmt import format_paths

    write = not check and not show_diff
    formatted = format_paths(paths, write=write)
    for diag in formatted.problems:
        click.echo(view.problem(diag), err=True)
    if formatted.problems and not formatted.results:
        raise click.exceptions.Exit(1)
    for result in formatted.results:
        if result.problem is not None:
            click.echo(view.problem(result.problem), err=True)
        elif result.changed and show_diff:
            click.echo(view.unified_diff(result), nl=False)
        elif result.changed and check:
            click.echo(view.shown(result))
    click.echo(view.summary(formatted, written=write), err=check or show_diff)
    if formatted.failed or (check and formatted.changed):
        raise click.exceptions.Exit(1)
