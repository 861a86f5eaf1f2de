"""What `modelspec fmt` prints: problems, unified diffs and the one-line summary."""

from __future__ import annotations

import difflib

from modelspec.diagnostics import Diagnostic
from modelspec.operations.fmt import FileResult, Formatted
from modelspec.safetext import inert_lines, one_line, visible

__all__ = ["problem", "shown", "summary", "unified_diff"]


def unified_diff(result: FileResult) -> str:
    """The diff of one file; its lines are spec text, so control characters show as escapes
    and none of them can be a CI workflow command."""
    lines = difflib.unified_diff(
        result.before.splitlines(keepends=True),
        result.after.splitlines(keepends=True),
        fromfile=f"a/{result.shown}",
        tofile=f"b/{result.shown}",
    )
    return inert_lines("".join(_diff_line(line) for line in lines))


def _diff_line(line: str) -> str:
    ending = "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else ""
    body = visible(line[: len(line) - len(ending)], keep="\t")
    return body + (ending or "\n\\ No newline at end of file\n")


def problem(diag: Diagnostic) -> str:
    """The diagnostic as validate's first line gives it; a multi-line message keeps its lines."""
    where = one_line(diag.file or "modelspec")
    if diag.line:
        where += f":{diag.line}:{diag.column or 1}"
    text = f"{where}: {diag.severity.value}[{diag.code}]: {visible(diag.message)}"
    return inert_lines(f"{text}\n  hint: {visible(diag.hint)}" if diag.hint else text)


def shown(result: FileResult) -> str:
    """The file's name as `fmt --check` lists it."""
    return one_line(result.shown)


def summary(formatted: Formatted, *, written: bool) -> str:
    verb = "reformatted" if written else "would be reformatted"
    text = f"{_count(formatted.changed)} {verb}, {formatted.unchanged} unchanged"
    return f"{text}, {formatted.failed} failed" if formatted.failed else text


def _count(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"
