"""Compiler-style text output: location, message, source snippet with a caret, hint, summary.

Messages, hints and source lines carry text from spec files. Control
characters in them are shown as escapes, and the finished output goes
through safetext.inert_lines, so no line of it (a message's second line, a
source line) is a workflow command for the CI that prints it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.diagnostics.render import RenderContext
from modelspec.safetext import inert_lines, visible

__all__ = ["render", "summary"]

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_GUTTER = "\x1b[1;34m"
_HINT = "\x1b[1;36m"
_SEVERITY_STYLE = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.NOTE: "\x1b[1;36m",
}


class _Paint:
    """Wraps text in ANSI styles, or leaves it alone when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if self.enabled and text else text


def render(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
    """Every diagnostic as a block, blocks separated by a blank line, then the summary."""
    paint = _Paint(ctx.color)
    blocks = ["\n".join(_block(d, ctx, paint)) for d in diagnostics]
    blocks.append(paint(_BOLD, summary(diagnostics, ctx.files_checked)))
    return inert_lines("\n\n".join(blocks) + "\n")


def summary(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    """'2 errors, 1 warning in 14 files' or 'no problems in 14 files'."""
    counts = [
        (sum(1 for d in diagnostics if d.severity is severity), noun)
        for severity, noun in (
            (Severity.ERROR, "error"),
            (Severity.WARNING, "warning"),
            (Severity.NOTE, "note"),
        )
    ]
    found = ", ".join(_plural(n, noun) for n, noun in counts if n)
    if not files_checked:  # the caller did not check files (plan, apply): count problems only
        return found or "no problems"
    return f"{found or 'no problems'} in {_plural(files_checked, 'file')}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _block(d: Diagnostic, ctx: RenderContext, paint: _Paint) -> list[str]:
    style = _SEVERITY_STYLE[d.severity]
    label = paint(style, f"{d.severity.value}[{d.code}]")
    message_lines = _text_lines(d.message)
    head = f"{label}: {paint(_BOLD, message_lines[0])}"
    location = _location(d)
    lines = [f"{paint(_BOLD, location)}: {head}" if location else head]
    lines.extend(f"  {more}" for more in message_lines[1:])

    source = ctx.source_line(d.file, d.line) if d.file and d.line > 0 else ""
    width = len(str(d.line))
    if source:
        shown = visible(source.rstrip("\r\n"), keep="\t")
        gutter = paint(_GUTTER, " " * width + " |")
        lines.append(gutter)
        lines.append(f"{paint(_GUTTER, f'{d.line} |')} {shown}")
        if d.column > 0:
            lines.append(f"{gutter} {_caret_padding(source, d.column)}{paint(style, '^')}")
    if d.hint:
        pad = " " * (width + 1) if source else "  "
        hint_lines = _text_lines(d.hint)
        lines.append(f"{pad}{paint(_HINT, '=')} {paint(_BOLD, 'hint')}: {hint_lines[0]}")
        lines.extend(f"{pad}        {more}" for more in hint_lines[1:])
    return lines


def _text_lines(text: str) -> list[str]:
    return visible(text.replace("\r\n", "\n")).split("\n")


def _location(d: Diagnostic) -> str:
    if not d.file:
        return ""
    file = visible(d.file, keep="")
    if d.line <= 0:
        return file
    if d.column <= 0:
        return f"{file}:{d.line}"
    return f"{file}:{d.line}:{d.column}"


def _caret_padding(source: str, column: int) -> str:
    """Whitespace that puts a caret under the column-th character (1-based) of source.

    Tabs are kept so the terminal expands them the same way in both lines; wide
    (East Asian) characters take two cells and combining marks none. The shown
    line escapes control characters, so their escapes are measured too.
    """
    before = visible(source[: column - 1], keep="\t")
    cells: list[str] = []
    for ch in before:
        if ch == "\t":
            cells.append("\t")
        elif unicodedata.combining(ch):
            continue
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            cells.append("  ")
        else:
            cells.append(" ")
    return "".join(cells)
