"""`modelspec force-unlock LOCK_ID`: remove a state lock left behind by a command that died."""

from __future__ import annotations

import sys

import click

from modelspec.cli import UserError
from modelspec.cli.common import require_project

__all__ = ["command"]


def stdin_is_interactive() -> bool:
    return sys.stdin.isatty()


@click.command("force-unlock")
@click.argument("lock_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def command(lock_id: str, yes: bool) -> None:
    """Remove the state lock LOCK_ID when the command holding it is gone.

    Only do this when no other modelspec command is running on this state:
    two commands writing at once can lose what one of them applied. With the
    PostgreSQL backend only a holder row whose session has ended is removed:
    a live session's advisory lock cannot be taken.
    """
    from modelspec.operations.state import force_unlock, held_lock

    project = require_project()
    held = held_lock(project, lock_id)
    stale = ""
    if held.stale:
        stale = (
            " (stale: its database session has ended)"
            if held.shared
            else f" (stale: process {held.holder.pid} on this host is gone)"
        )
    click.echo(f"The state is locked: {held.holder.describe()}{stale}.", err=True)
    if not yes:
        if not stdin_is_interactive():
            raise UserError(
                f"not removing lock {lock_id} without confirmation: pass --yes "
                "when no terminal is attached"
            )
        click.confirm("Remove this lock?", abort=True, err=True)
    force_unlock(project, lock_id)
    click.echo(f"Lock {lock_id} removed.")
