"""`diff --format markdown`: a pull-request comment, at most 65,536 characters."""

from __future__ import annotations

from modelspec.contracts.render_text import summary
from modelspec.contracts.semantic import DiffReport, PathChange
from modelspec.markdown import code, text
from modelspec.safetext import inert_lines
from modelspec.valuediff import display_path, display_value

__all__ = ["MAX_CHARS", "render"]

MAX_CHARS = 65_536  # GitHub's limit for a comment body
_CUT_NOTE = "\n\n_Output cut at {limit:,} characters: run {command} for the rest._\n"


def render(report: DiffReport, limit: int = MAX_CHARS) -> str:
    """Every value from the specs (and the base ref) goes through modelspec.markdown."""
    parts = [
        f"### modelspec diff against {code(report.base, in_table=False)}\n",
        text(summary(report)) + "\n",
    ]
    if report.errors:
        parts.append("\n**Errors**\n")
        parts.extend(f"- :x: {text(e.message)} ({text(e.file)}:{e.line})\n" for e in report.errors)
    for change in report.changes:
        flag = " — **breaking**" if change.breaking else ""
        parts.append(f"\n#### {code(change.address, in_table=False)} {change.change}{flag}\n")
        rows = [d for d in change.diffs if d.path]
        if rows:
            parts.append("\n| attribute | before | after | breaking | why |\n| --- | --- | --- | --- | --- |\n")
            parts.extend(_row(d) for d in rows)
    return inert_lines(_cap("".join(parts), limit, report.base))


def _row(d: PathChange) -> str:
    mark = "yes" if d.breaking else ""
    return (
        f"| {text(display_path(d.path))} | {text(display_value(d.before))} | "
        f"{text(display_value(d.after))} | {mark} | {text(d.reason)} |\n"
    )


def _cap(out: str, limit: int, base: str) -> str:
    if len(out) <= limit:
        return out
    note = _CUT_NOTE.format(limit=limit, command=code(f"modelspec diff --base {base}", in_table=False))
    cut = out[: limit - len(note)]
    cut = cut[: cut.rfind("\n") + 1] if "\n" in cut else cut
    return cut + note
