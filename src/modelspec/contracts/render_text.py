"""`diff --format text`: one block per changed resource, breaking changes marked."""

from __future__ import annotations

from modelspec.contracts.semantic import DiffReport, PathChange
from modelspec.safetext import inert_lines, one_line
from modelspec.valuediff import display_path, display_value

__all__ = ["render", "summary"]

_SIGNS = {"added": "+", "removed": "-", "changed": "~"}


def summary(report: DiffReport) -> str:
    if not report.changes:
        return f"No spec changes since {one_line(report.base)}."
    counts = {kind: sum(1 for c in report.changes if c.change == kind) for kind in _SIGNS}
    text = f"Since {one_line(report.base)}: {counts['added']} added, {counts['changed']} changed, {counts['removed']} removed"
    if report.breaking_count:
        text += f"; {report.breaking_count} with breaking changes"
    return text + "."


def render(report: DiffReport) -> str:
    """Text for a terminal; the errors themselves are printed as diagnostics by the command."""
    lines: list[str] = []
    for change in report.changes:
        flag = "  [BREAKING]" if change.breaking else ""
        lines.append(f"{_SIGNS[change.change]} {change.address} ({change.change}){flag}")
        lines.extend(f"    {line(d)}" for d in change.diffs if d.path)
    lines.append(summary(report))
    return inert_lines("\n".join(lines) + "\n")


def line(diff: PathChange) -> str:
    """'spec.columns[1].min: 0 -> 5  BREAKING: column age: min raised from 0 to 5 (range narrowed)'."""
    text = f"{display_path(diff.path)}: {display_value(diff.before)} -> {display_value(diff.after)}"
    if diff.reason:
        text += f"  {'BREAKING' if diff.breaking else 'compatible'}: {diff.reason}"
    return one_line(text)
