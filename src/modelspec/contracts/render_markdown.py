"""`diff --format markdown`: a pull-request comment, at most 65,536 characters."""

from __future__ import annotations

from modelspec.contracts.render_text import summary
from modelspec.contracts.semantic import DiffReport, PathChange
from modelspec.diagnostics.render import visible
from modelspec.valuediff import display_path, display_value

__all__ = ["MAX_CHARS", "render"]

MAX_CHARS = 65_536  # GitHub's limit for a comment body
_CUT_NOTE = "\n\n_Output cut at {limit:,} characters: run `modelspec diff --base {base}` for the rest._\n"


def cell(text: str) -> str:
    """Text safe inside a table cell: pipes, backticks and markup escaped, one line."""
    text = visible(text, keep="").replace("\\", "\\\\")
    for ch in "|`*_[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


def render(report: DiffReport, limit: int = MAX_CHARS) -> str:
    parts = [f"### modelspec diff against `{cell(report.base)}`\n", summary(report) + "\n"]
    if report.errors:
        parts.append("\n**Errors**\n")
        parts.extend(f"- :x: {cell(e.message)} ({cell(e.file)}:{e.line})\n" for e in report.errors)
    for change in report.changes:
        flag = " — **breaking**" if change.breaking else ""
        parts.append(f"\n#### `{cell(change.address)}` {change.change}{flag}\n")
        rows = [d for d in change.diffs if d.path]
        if rows:
            parts.append("\n| attribute | before | after | breaking | why |\n| --- | --- | --- | --- | --- |\n")
            parts.extend(_row(d) for d in rows)
    return _cap("".join(parts), limit, report.base)


def _row(d: PathChange) -> str:
    mark = "yes" if d.breaking else ""
    return (
        f"| {cell(display_path(d.path))} | {cell(display_value(d.before))} | "
        f"{cell(display_value(d.after))} | {mark} | {cell(d.reason)} |\n"
    )


def _cap(text: str, limit: int, base: str) -> str:
    if len(text) <= limit:
        return text
    note = _CUT_NOTE.format(limit=limit, base=base.replace("`", ""))
    cut = text[: limit - len(note)]
    cut = cut[: cut.rfind("\n") + 1] if "\n" in cut else cut
    return cut + note
