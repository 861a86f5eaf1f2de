"""`modelspec audit verify`: check that no audit record was changed, removed or inserted."""

from __future__ import annotations

import click

from modelspec.cli.common import require_project

__all__ = ["command"]


@click.group("audit")
def command() -> None:
    """Work with the audit log kept beside the state."""


@command.command("verify")
@click.pass_context
def verify_command(ctx: click.Context) -> None:
    """Check the audit log's hash chain; exit 1 naming the first record where it breaks."""
    from modelspec.operations.audit import verify_audit

    verified = verify_audit(require_project())
    report = verified.report
    if report.intact:
        click.echo(f"{verified.where}: {report.summary()}")
        return
    click.echo(f"{verified.where}: chain broken at {report.summary()}")
    ctx.exit(1)
