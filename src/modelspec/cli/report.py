"""`modelspec report [--format html|markdown] [--out FILE]`: the compliance report."""

from __future__ import annotations

from datetime import date

import click

from modelspec.cli.common import require_project
from modelspec.operations.report import FORMATS

__all__ = ["command"]


@click.command("report")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS.names),
    default=None,
    help="html (one self-contained page) or markdown  [default: html when --out ends in "
    ".html, markdown otherwise]",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    default=None,
    help="Day to judge waivers and count days to expiry from  [default: today, UTC]",
)
def command(fmt: str | None, out: str | None, today: str | None) -> None:
    """Report for compliance staff: models, policies per resource, waivers, approvals, history."""
    from modelspec.operations.report import load_report, report_format, write_report

    day = _day(today)
    project = require_project()
    report, _ = load_report(project, today=day)
    text = FORMATS.render(report_format(fmt, out), report)
    if report.error_count:
        click.echo(
            f"Note: the specs have {report.error_count} error(s); run `modelspec validate` "
            "for the details.",
            err=True,
        )
    if not out:
        click.echo(text, nl=False)
        return
    write_report(text, out)
    click.echo(f"Wrote the compliance report to {out}.", err=True)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date like 2026-11-27", param_hint="--today") from None
