"""The `validate --format json` document: a published contract, so fields keep their meaning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelspec import jsonio
from modelspec.diagnostics import Diagnostic, error_count, warning_count
from modelspec.diagnostics.render import RenderContext
from modelspec.safetext import inert_json

__all__ = ["FORMAT_VERSION", "document", "render"]

FORMAT_VERSION = "1"


def render(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
    """The document as JSON with sorted keys and an indent of 2, ending in a newline.

    Non-ASCII characters are \\u-escaped: the output is plain ASCII whatever the
    console encoding of the CI machine that captures it.
    """
    return inert_json(jsonio.dumps(document(diagnostics, ctx), indent=2, sort_keys=True)) + "\n"


def document(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> dict[str, Any]:
    """The JSON document as plain data.

    Unknown positions stay in their type: file "" and line/column 0, never null,
    so consumers need no null checks.
    """
    errors = error_count(diagnostics)
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "modelspec", "version": ctx.tool_version},
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": warning_count(diagnostics),
        "diagnostics": [_diagnostic(d) for d in diagnostics],
    }


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    """One diagnostic; a waived policy finding adds `suppression` (only then)."""
    out: dict[str, Any] = {
        "severity": d.severity.value,
        "code": d.code,
        "message": d.message,
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "path": d.path,
        "hint": d.hint,
    }
    if d.suppression is not None:
        out["suppression"] = {
            "justification": d.suppression.justification,
            "approved_by": d.suppression.approved_by,
            "expires": d.suppression.expires,
            "source": d.suppression.source,
        }
    return out
