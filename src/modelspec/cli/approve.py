"""`modelspec approve ADDR --role ROLE --by NAME`: record a sign-off on a resource's current spec."""

from __future__ import annotations

from datetime import date

import click

from modelspec import clock
from modelspec.cli import UserError
from modelspec.cli.common import color_enabled, echo_diagnostics, require_project


@click.command("approve")
@click.argument("address", metavar="ADDR")
@click.option("--role", required=True, help="Role you approve in, e.g. compliance.")
@click.option("--by", "approved_by", required=True, help="Who approves, e.g. jane.doe.")
@click.option(
    "--comment", default=None, help="Why, or under which conditions; kept as the description."
)
@click.option(
    "--date",
    "day",
    default=None,
    metavar="YYYY-MM-DD",
    help="Day of the approval [default: today, UTC].",
)
@click.pass_context
def command(
    ctx: click.Context,
    address: str,
    role: str,
    approved_by: str,
    comment: str | None,
    day: str | None,
) -> None:
    """Approve ADDR (e.g. model.churn-classifier) at its current digest.

    Writes specs/approvals/<kind>-<name>-<role>.yaml, or updates the Approval already given
    for ADDR in that role. An approval goes stale when its subject changes.
    """
    from modelspec.cli.views.approve import refusal, written
    from modelspec.operations.approve import ApprovalRequest, approve

    on_day = _parse_day(day)
    project = require_project()
    request = ApprovalRequest(address, role, approved_by, on_day, comment or None)
    result = approve(project, request)
    if result.specs_invalid:
        echo_diagnostics(result.diagnostics, color=color_enabled(ctx, err=True), err=True)
        raise UserError("the specs do not validate: fix the errors above before approving")
    if result.write is None:
        located = [d for d in result.diagnostics if d.file]
        if located:
            echo_diagnostics(located, color=color_enabled(ctx, err=True), err=True)
        raise UserError(refusal(result.diagnostics, address))
    click.echo(written(result.write, request))


def _parse_day(text: str | None) -> date:
    if text is None:
        return clock.today()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"--date {text!r} is not a day: write YYYY-MM-DD, e.g. 2026-11-20"
        ) from None
