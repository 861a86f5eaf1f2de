"""The plan as Markdown for a pull-request comment: a summary table and one details block per resource."""

from __future__ import annotations

import html

from modelspec.plan.model import Change, Plan
from modelspec.plan.render_text import SYMBOLS, summary_line
from modelspec.valuediff import display_path, display_value

__all__ = ["MAX_CHARS", "render"]

# GitHub refuses comments longer than this.
MAX_CHARS = 65_536
_NOTE = (
    "\n_The plan is too long for one comment: {shown} of {total} resources shown. "
    "Run `modelspec show` on the saved plan for all of it._\n"
)


def cell(text: str) -> str:
    """Text safe inside a table cell: HTML escaped, pipes escaped, one line."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def render(plan: Plan, *, color: bool = False, max_chars: int = MAX_CHARS) -> str:
    """Markdown no longer than max_chars; color is ignored."""
    head = ["### modelspec plan", "", f"**{cell(summary_line(plan))}**", ""]
    if plan.drift:
        head += ["#### Drift", "", "| File | Recorded by | State |", "| --- | --- | --- |"]
        head += [
            f"| `{cell(d.path)}` | `{cell(d.address)}` | {'missing' if d.missing else 'edited'} |"
            for d in plan.drift
        ]
        head.append("")
    changes = plan.actionable
    if changes:
        head += ["| Action | Resource | Reason |", "| --- | --- | --- |"]
        head += [
            f"| {SYMBOLS[c.action]} {c.action}{' **breaking**' if c.breaking else ''} "
            f"| `{cell(c.address)}` | {cell(c.reason)} |"
            for c in changes
        ]
        head.append("")
    text = "\n".join(head) + "\n"
    for shown, change in enumerate(changes):
        block = _details(change)
        note = _NOTE.format(shown=shown, total=len(changes))
        if len(text) + len(block) + len(note) > max_chars:
            return _fit(text, note, max_chars)
        text += block
    return _fit(text, "", max_chars)


def _fit(text: str, note: str, max_chars: int) -> str:
    """text plus note, cutting text (the summary table of a huge plan) when it must."""
    if len(text) + len(note) <= max_chars:
        return text + note
    note = note or _NOTE.format(shown=0, total="all")
    keep = max(0, max_chars - len(note) - 1)
    return text[:keep].rsplit("\n", 1)[0] + "\n" + note


def _details(change: Change) -> str:
    lines = [
        "<details>",
        f"<summary><code>{SYMBOLS[change.action]} {html.escape(change.address)}</code> "
        f"{change.action}</summary>",
        "",
    ]
    if change.reason:
        lines += [cell(change.reason), ""]
    if change.diffs and change.action != "delete":
        lines += ["| Attribute | Before | After |", "| --- | --- | --- |"]
        lines += [
            f"| `{cell(display_path(d.path))}` | {_value(d.before)} | {_value(d.after)} |"
            for d in change.diffs
        ]
        lines.append("")
    if change.deletes:
        lines += ["Removes: " + ", ".join(f"`{cell(p)}`" for p in change.deletes), ""]
    lines += ["</details>", ""]
    return "\n".join(lines) + "\n"


def _value(value: object) -> str:
    return "" if value is None else f"`{cell(display_value(value))}`"
