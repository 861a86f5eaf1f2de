"""GitHub Actions workflow commands (::error file=...::message), one line per diagnostic.

Escaping follows actions/toolkit (packages/core/src/command.ts): the message
escapes %, CR and LF; property values also escape ':' and ','. Other control
characters are shown as \\xNN first: the Actions log would otherwise interpret a
raw ESC sequence from a spec file. `file=` is a path from the repository root, as
the runner resolves it (`ml/specs/...` for a project in `ml/`).
"""

from __future__ import annotations

from collections.abc import Sequence

from modelspec.diagnostics import CODES, Diagnostic, Severity
from modelspec.diagnostics.render import RenderContext
from modelspec.diagnostics.repository import repository_relative
from modelspec.safetext import visible

__all__ = ["command", "escape_data", "escape_property", "render"]

_COMMAND = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTE: "notice",
}


def render(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
    """One workflow command per diagnostic; nothing at all when there are none."""
    return "".join(command(d, ctx.repository_path) + "\n" for d in diagnostics)


def command(d: Diagnostic, repository_path: str = "") -> str:
    """`::error file=F,line=L,col=C,title=MS202 unknown-field::message%0Ahint: ...`."""
    properties: list[tuple[str, str]] = []
    if d.file:
        properties.append(("file", repository_relative(repository_path, d.file)))
        if d.line > 0:
            properties.append(("line", str(d.line)))
            if d.column > 0:
                properties.append(("col", str(d.column)))
    title = CODES.get(d.code)
    properties.append(("title", f"{d.code} {title}" if title else d.code))
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    message = f"{d.message}\nhint: {d.hint}" if d.hint else d.message
    return f"::{_COMMAND[d.severity]} {props}::{escape_data(message)}"


def escape_data(s: str) -> str:
    s = visible(s, keep="\r\n")
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")
