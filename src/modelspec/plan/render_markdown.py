"""The plan as Markdown for a pull-request comment: a summary table and one details block per resource."""

from __future__ import annotations

from modelspec.markdown import code, html, text
from modelspec.plan.model import Change, Plan
from modelspec.plan.render_text import SYMBOLS, summary_line
from modelspec.safetext import inert_lines
from modelspec.valuediff import display_path, display_value

__all__ = ["MAX_CHARS", "render"]

# GitHub refuses comments longer than this.
MAX_CHARS = 65_536
_NOTE = (
    "\n_The plan is too long for one comment: {shown} of {total} resources shown. "
    "Run `modelspec show` on the saved plan for all of it._\n"
)


def render(plan: Plan, *, color: bool = False, max_chars: int = MAX_CHARS) -> str:
    """Markdown no longer than max_chars; color is ignored. Every spec value goes through
    modelspec.markdown, so none can mention, link, add markup or break a table."""
    return inert_lines(_render(plan, max_chars))


def _render(plan: Plan, max_chars: int) -> str:
    head = ["### modelspec plan", "", f"**{text(summary_line(plan))}**", ""]
    if plan.drift:
        head += ["#### Drift", "", "| File | Recorded by | State |", "| --- | --- | --- |"]
        head += [
            f"| {_code(d.path)} | {_code(d.address)} | {'missing' if d.missing else 'edited'} |"
            for d in plan.drift
        ]
        head.append("")
    changes = plan.actionable
    if changes:
        head += ["| Action | Resource | Reason |", "| --- | --- | --- |"]
        head += [
            f"| {SYMBOLS[c.action]} {c.action}{' **breaking**' if c.breaking else ''} "
            f"| {_code(c.address)} | {text(c.reason)} |"
            for c in changes
        ]
        head.append("")
    out = "\n".join(head) + "\n"
    for shown, change in enumerate(changes):
        block = _details(change)
        note = _NOTE.format(shown=shown, total=len(changes))
        if len(out) + len(block) + len(note) > max_chars:
            return _fit(out, note, max_chars)
        out += block
    return _fit(out, "", max_chars)


def _fit(out: str, note: str, max_chars: int) -> str:
    """out plus note, cutting out (the summary table of a huge plan) when it must."""
    if len(out) + len(note) <= max_chars:
        return out + note
    note = note or _NOTE.format(shown=0, total="all")
    keep = max(0, max_chars - len(note) - 1)
    return out[:keep].rsplit("\n", 1)[0] + "\n" + note


def _details(change: Change) -> str:
    lines = [
        "<details>",
        f"<summary><code>{SYMBOLS[change.action]} {html(change.address)}</code> "
        f"{change.action}</summary>",
        "",
    ]
    if change.reason:
        lines += [text(change.reason), ""]
    if change.diffs and change.action != "delete":
        lines += ["| Attribute | Before | After |", "| --- | --- | --- |"]
        lines += [
            f"| {_code(display_path(d.path))} | {_value(d.before)} | {_value(d.after)} |"
            for d in change.diffs
        ]
        lines.append("")
    if change.deletes:
        lines += ["Removes: " + ", ".join(code(p, in_table=False) for p in change.deletes), ""]
    lines += ["</details>", ""]
    return "\n".join(lines) + "\n"


def _code(value: str) -> str:
    return code(value, in_table=True)


def _value(value: object) -> str:
    return "" if value is None else _code(display_value(value))
