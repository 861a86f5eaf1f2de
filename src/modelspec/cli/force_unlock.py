"""`modelspec force-unlock LOCK_ID`: remove a state lock left behind by a command that died."""

from __future__ import annotations

import sys

import click

from modelspec.cli import UserError
from modelspec.cli.common import require_project
from modelspec.state import LockIdMismatch, NotLocked, StateError, backend_for
from modelspec.state.lock import is_stale

__all__ = ["command"]


def stdin_is_interactive() -> bool:
    return sys.stdin.isatty()


@click.command("force-unlock")
@click.argument("lock_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def command(lock_id: str, yes: bool) -> None:
    """Remove the state lock LOCK_ID when the command holding it is gone.

    Only do this when no other modelspec command is running on this state:
    two commands writing at once can lose what one of them applied.
    """
    backend = backend_for(require_project())
    try:
        holder = backend.current_lock()
        if holder is None:
            raise NotLocked(lock_id)
        if holder.id != lock_id:
            raise LockIdMismatch(lock_id, holder)
        stale = f" (stale: process {holder.pid} on this host is gone)" if is_stale(holder) else ""
        click.echo(f"The state is locked: {holder.describe()}{stale}.", err=True)
        if not yes:
            if not stdin_is_interactive():
                raise UserError(
                    f"not removing lock {lock_id} without confirmation: pass --yes "
                    "when no terminal is attached"
                )
            click.confirm("Remove this lock?", abort=True, err=True)
        backend.force_unlock(lock_id)
    except StateError as exc:
        raise UserError(str(exc)) from None
    click.echo(f"Lock {lock_id} removed.")
