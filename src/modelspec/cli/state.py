"""`modelspec state list` and `modelspec state show ADDR`: read-only views of the applied state."""

from __future__ import annotations

import click

from modelspec.cli.common import require_project
from modelspec.cli.views.state import LIST_FORMATS, SHOW_FORMATS

__all__ = ["command"]


@click.group("state")
def command() -> None:
    """Inspect the state left by the last apply."""


@command.command("list")
@click.option("--format", "fmt", type=click.Choice(LIST_FORMATS.names), default="text", show_default=True)
def list_command(fmt: str) -> None:
    """List the resources in state: address, kind and short digest."""
    from modelspec.operations.state import read_state

    state = read_state(require_project())
    if fmt == "text" and not state.resources:
        click.echo("No resources in state.", err=True)
        return
    click.echo(LIST_FORMATS.render(fmt, state), nl=False)


@command.command("show")
@click.argument("address")
@click.option("--format", "fmt", type=click.Choice(SHOW_FORMATS.names), default="text", show_default=True)
def show_command(address: str, fmt: str) -> None:
    """Show one resource in state: digest, outputs, artifacts, spec."""
    from modelspec.operations.state import state_resource

    rs = state_resource(require_project(), address)
    click.echo(SHOW_FORMATS.render(fmt, rs), nl=False)
