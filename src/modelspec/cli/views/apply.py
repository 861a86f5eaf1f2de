"""Views of an apply: the confirmation prompt and the closing summary."""

from __future__ import annotations

import click

from modelspec.errors import UserError
from modelspec.plan.model import Plan
from modelspec.state import State

__all__ = ["PROMPT", "ask", "complete"]

PROMPT = "Apply these changes? Only 'yes' will be accepted"


def ask(interactive: bool) -> bool:
    """Whether the user typed yes; without a terminal to ask on, a UserError."""
    if not interactive:
        raise UserError(
            "refusing to apply without confirmation: stdin is not a terminal; "
            "pass --auto-approve, or save a plan with `modelspec plan --out FILE` and apply that"
        )
    answer = click.prompt(PROMPT, default="", show_default=False)
    return bool(answer.strip() == "yes")


def complete(done: Plan, state: State, *, color: bool) -> None:
    """The closing line: what changed and the state serial it is recorded at."""
    click.echo(
        click.style("Apply complete!", fg="green", bold=True) if color else "Apply complete!",
        nl=False,
    )
    s = done.summary
    click.echo(
        f" Resources: {s.create} created, {s.update} updated, {s.replace} replaced, "
        f"{s.delete} deleted. State serial {state.serial}."
    )
