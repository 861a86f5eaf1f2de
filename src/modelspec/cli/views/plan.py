"""Views of a plan: its diagnostics on stderr, the plan in a named format, the saved-plan note."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from modelspec.cli.common import color_enabled, echo_diagnostics
from modelspec.diagnostics import has_errors
from modelspec.plan import FORMATS

if TYPE_CHECKING:
    from modelspec.operations.plan import Planned
    from modelspec.plan.model import Plan

__all__ = ["FORMATS", "echo_plan", "report", "saved"]


def report(ctx: click.Context, planned: Planned) -> bool:
    """Print the diagnostics to stderr; whether one is an error (the command then exits 1)."""
    if planned.diagnostics:
        echo_diagnostics(
            planned.diagnostics,
            color=color_enabled(ctx, err=True),
            source_line=planned.validation.source_line,
            err=True,
        )
    if has_errors(planned.diagnostics):
        click.echo(
            "Error: the plan has errors; nothing can be applied until they are fixed.", err=True
        )
        return True
    return False


def echo_plan(ctx: click.Context, made: Plan, fmt: str = "text") -> None:
    """The plan on stdout in the named format (text is coloured on a terminal)."""
    color = fmt == "text" and color_enabled(ctx)
    click.echo(FORMATS.render(fmt, made, color=color), nl=False)


def saved(out: str) -> None:
    click.echo(
        f"\nSaved the plan to {out}. Apply exactly these changes with `modelspec apply {out}`."
    )
