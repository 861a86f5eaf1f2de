"""`diff --format json`: a published contract, so fields keep their meaning (format_version 1).

A NaN or infinite spec value is written as the string "NaN", "Infinity" or
"-Infinity" (standard JSON has no such numbers; null means "absent").
"""

from __future__ import annotations

from typing import Any

from modelspec import jsonio
from modelspec.contracts.semantic import DiffReport
from modelspec.safetext import inert_json

__all__ = ["FORMAT_VERSION", "document", "render"]

FORMAT_VERSION = "1"


def render(report: DiffReport) -> str:
    return inert_json(jsonio.dumps(jsonio.spelled(document(report)), indent=2, sort_keys=True)) + "\n"


def document(report: DiffReport) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "base": report.base,
        "changes": [
            {
                "address": c.address,
                "kind": c.kind,
                "change": c.change,
                "breaking": c.breaking,
                "diffs": [
                    {"path": d.path, "before": d.before, "after": d.after,
                     "breaking": d.breaking, "reason": d.reason}
                    for d in c.diffs
                ],
            }
            for c in report.changes
        ],
        "errors": [
            {"severity": e.severity.value, "code": e.code, "message": e.message, "file": e.file,
             "line": e.line, "column": e.column, "path": e.path, "hint": e.hint}
            for e in report.errors
        ],
    }
