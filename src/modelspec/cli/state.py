"""`modelspec state ...`: views of the applied state and its history, pull, push and migrate."""

from __future__ import annotations

import click

from modelspec.cli.common import require_project
from modelspec.cli.views.state import LIST_FORMATS, SHOW_FORMATS

__all__ = ["command"]

_SERIAL = click.option(
    "--serial", type=click.IntRange(min=0), default=None, help="A kept serial instead of the current."
)
_LOCK_TIMEOUT = click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=0, show_default=True,
    help="Seconds to wait for the state lock.",
)


@click.group("state")
def command() -> None:
    """Inspect, copy and move the state left by apply."""


@command.command("list")
@click.option("--format", "fmt", type=click.Choice(LIST_FORMATS.names), default="text", show_default=True)
@_SERIAL
def list_command(fmt: str, serial: int | None) -> None:
    """List the resources in state: address, kind and short digest."""
    from modelspec.operations.state import read_state

    state = read_state(require_project(), serial)
    if fmt == "text" and not state.resources:
        click.echo("No resources in state.", err=True)
        return
    click.echo(LIST_FORMATS.render(fmt, state), nl=False)


@command.command("show")
@click.argument("address")
@click.option("--format", "fmt", type=click.Choice(SHOW_FORMATS.names), default="text", show_default=True)
@_SERIAL
def show_command(address: str, fmt: str, serial: int | None) -> None:
    """Show one resource in state: digest, outputs, artifacts, spec."""
    from modelspec.operations.state import state_resource

    rs = state_resource(require_project(), address, serial)
    click.echo(SHOW_FORMATS.render(fmt, rs), nl=False)


@command.command("history")
def history_command() -> None:
    """List the kept serials: serial, lineage, when written."""
    from modelspec.operations.state import state_history

    kept = state_history(require_project())
    if not kept:
        click.echo("No state is stored yet.", err=True)
    for info in kept:
        click.echo(f"{info.serial}\t{info.lineage or '-'}\t{info.written}")


@command.command("pull")
@_SERIAL
def pull_command(serial: int | None) -> None:
    """Print the current state (or a kept serial) as a state file to stdout."""
    from modelspec.operations.state import pull_state

    text = pull_state(require_project(), serial)
    if text is None:
        click.echo("No state is stored yet.", err=True)
        return
    click.echo(text, nl=False)


@command.command("push")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Store it though its lineage differs or its serial is not newer.")
@_LOCK_TIMEOUT
def push_command(file: str, force: bool, lock_timeout: float) -> None:
    """Store the state file FILE as the current state (disaster recovery); audited."""
    from modelspec.operations.state_transfer import push_state

    pushed = push_state(require_project(), file, force=force, lock_timeout=lock_timeout)
    click.echo(f"Pushed {file} as serial {pushed.serial} (the stored state was serial {pushed.previous}).")


@command.command("migrate")
@click.option("--to", "to", type=click.Choice(["local", "postgres"]), required=True, help="The backend to move the state to.")
@_LOCK_TIMEOUT
def migrate_command(to: str, lock_timeout: float) -> None:
    """Copy the state, every kept serial and the audit log to another backend."""
    from modelspec.operations.state_transfer import migrate_state

    moved = migrate_state(require_project(), to, lock_timeout=lock_timeout)
    click.echo(
        f"Migrated {len(moved.serials)} serial(s) (current: {moved.serial}) and {moved.records} "
        f"audit record(s) from the {moved.source} backend to {moved.target}; the {moved.source} "
        f"copy is left as it was. Now set `state: {{backend: {moved.target}}}` in modelspec.yaml."
    )
