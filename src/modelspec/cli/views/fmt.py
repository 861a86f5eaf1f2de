"""What `modelspec fmt` prints: problems, unified diffs and the one-line summary."""

from __future__ import annotations

import difflib

from modelspec.diagnostics import Diagnostic
from modelspec.operations.fmt import FileResult, Formatted

__all__ = ["problem", "summary", "unified_diff"]


def unified_diff(result: FileResult) -> str:
    lines = difflib.unified_diff(
        result.before.splitlines(keepends=True),
        result.after.splitlines(keepends=True),
        fromfile=f"a/{result.shown}",
        tofile=f"b/{result.shown}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def problem(diag: Diagnostic) -> str:
    where = diag.file or "modelspec"
    if diag.line:
        where += f":{diag.line}:{diag.column or 1}"
    text = f"{where}: {diag.severity.value}[{diag.code}]: {diag.message}"
    return f"{text}\n  hint: {diag.hint}" if diag.hint else text


def summary(formatted: Formatted, *, written: bool) -> str:
    verb = "reformatted" if written else "would be reformatted"
    text = f"{_count(formatted.changed)} {verb}, {formatted.unchanged} unchanged"
    return f"{text}, {formatted.failed} failed" if formatted.failed else text


def _count(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"
