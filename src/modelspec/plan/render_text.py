"""The plan as text for a terminal, in the manner of `terraform plan`.

Every value from a spec or the state is shown with safetext.one_line, so none
can break a line, send a control sequence or start a CI workflow command.
"""

from __future__ import annotations

from typing import Protocol

import click

from modelspec.plan.model import AttributeDiff, Change, Plan
from modelspec.safetext import inert_lines, one_line
from modelspec.valuediff import display_path, display_value

__all__ = ["SYMBOLS", "render", "summary_line"]

SYMBOLS: dict[str, str] = {
    "create": "+",
    "update": "~",
    "replace": "-/+",
    "delete": "-",
    "no-op": " ",
}
_COLORS: dict[str, str] = {
    "create": "green",
    "update": "yellow",
    "replace": "magenta",
    "delete": "red",
}
_VERBS: dict[str, str] = {
    "create": "will be created",
    "update": "will be updated in place",
    "replace": "must be replaced",
    "delete": "will be deleted",
}
NO_CHANGES = "No changes. Specs match the applied state."


def summary_line(plan: Plan) -> str:
    if not plan.has_changes:
        return NO_CHANGES
    s = plan.summary
    return (
        f"Plan: {s.create} to create, {s.update} to update, "
        f"{s.replace} to replace, {s.delete} to delete."
    )


def render(plan: Plan, *, color: bool = False) -> str:
    def paint(text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if color else text

    lines: list[str] = []
    if plan.drift:
        lines.append(paint("Drift: generated files changed outside modelspec", bold=True))
        for d in plan.drift:
            what = "removed" if d.missing else "edited by hand"
            lines.append(
                f"  {paint('!', 'yellow')} {one_line(d.path)} ({what}; recorded by {d.address})"
            )
        lines.append("")
    if plan.has_changes:
        lines.append("modelspec will perform the following actions:")
        lines.append("")
        for change in plan.actionable:
            lines.extend(_change_lines(change, paint))
            lines.append("")
    lines.append(paint(summary_line(plan), bold=True))
    return inert_lines("\n".join(lines) + "\n")


def _change_lines(change: Change, paint: _Painter) -> list[str]:
    action = change.action
    fg = _COLORS.get(action)
    breaking = paint(" (breaking)", "red") if change.breaking else ""
    out = [paint(f"  # {change.address} {_VERBS[action]}", bold=True) + breaking]
    if change.reason and action != "create":
        out.append(f"  # ({one_line(change.reason)})")
    out.append(f"  {paint(SYMBOLS[action], fg)} {change.address}")
    if action in ("update", "replace"):  # a new resource's spec is in the specs themselves
        out.extend(f"      {_diff_line(d, paint)}" for d in change.diffs)
    for write in change.writes:
        out.append(f"      {paint('>', fg)} file {one_line(write.path)}")
    for path in change.deletes:
        out.append(f"      {paint('-', 'red')} file {one_line(path)}")
    return out


class _Painter(Protocol):
    def __call__(self, text: str, fg: str | None = None, bold: bool = False) -> str: ...


def _diff_line(diff: AttributeDiff, paint: _Painter) -> str:
    where = one_line(display_path(diff.path))
    if diff.before is None:
        return f"{paint('+', 'green')} {where}: {_shown(diff.after)}"
    if diff.after is None:
        return f"{paint('-', 'red')} {where}: {_shown(diff.before)}"
    return f"{paint('~', 'yellow')} {where}: {_shown(diff.before)} -> {_shown(diff.after)}"


def _shown(value: object) -> str:
    return one_line(display_value(value))
