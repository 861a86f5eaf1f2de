"""`modelspec report [--format html|markdown] [--out FILE]`: the compliance report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.cli.common import require_project

__all__ = ["command"]

FORMATS = ("html", "markdown")


@click.command("report")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
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
    from modelspec.files import write_atomic
    from modelspec.report import load_report, render_html, render_markdown

    day = _day(today)
    project = require_project()
    chosen = fmt or ("html" if out and Path(out).suffix.lower() in (".html", ".htm") else "markdown")
    report, _ = load_report(project, today=day)
    text = render_html(report) if chosen == "html" else render_markdown(report)
    if report.error_count:
        click.echo(
            f"Note: the specs have {report.error_count} error(s); run `modelspec validate` "
            "for the details.",
            err=True,
        )
    if not out:
        click.echo(text, nl=False)
        return
    try:
        write_atomic(Path(out), text.encode("utf-8"))
    except OSError as exc:
        raise UserError(f"cannot write the report to {out}: {exc}") from None
    click.echo(f"Wrote the compliance report to {out}.", err=True)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date like 2026-11-27", param_hint="--today") from None
