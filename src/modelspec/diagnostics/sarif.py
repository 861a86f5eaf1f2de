"""SARIF 2.1.0 output, shaped for GitHub code scanning uploads.

GitHub reads a subset of SARIF: every result needs ruleId, message.text and a
location with a relative URI (a region's startLine and startColumn are
1-based); partialFingerprints are optional (the upload action computes them).
Rules are listed only for the codes that occur, in code order, so ruleIndex is
stable for a given set of findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from modelspec import jsonio
from modelspec.diagnostics import CODES, Diagnostic, Severity, Suppression
from modelspec.diagnostics.render import RenderContext
from modelspec.safetext import inert_json

__all__ = [
    "INFORMATION_URI",
    "PROJECT_CONFIG",
    "SCHEMA_URI",
    "SRCROOT",
    "log",
    "render",
]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/modelspec/"
SRCROOT = "%SRCROOT%"
# Where a finding about the whole project (no file of its own) is reported:
# code scanning drops results that have no location.
PROJECT_CONFIG = "modelspec.yaml"

_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTE: "note",
}


def render(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
    """The SARIF log as JSON with sorted keys and an indent of 2, ending in a newline."""
    return inert_json(jsonio.dumps(log(diagnostics, ctx), indent=2, sort_keys=True)) + "\n"


def log(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> dict[str, Any]:
    """The sarifLog object with one run."""
    codes = sorted({d.code for d in diagnostics})
    rule_index = {code: i for i, code in enumerate(codes)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "modelspec",
                "version": ctx.tool_version,
                "semanticVersion": ctx.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(code) for code in codes],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, rule_index[d.code]) for d in diagnostics],
    }
    if ctx.base_uri:
        base = ctx.base_uri if ctx.base_uri.endswith("/") else ctx.base_uri + "/"
        run["originalUriBaseIds"] = {SRCROOT: {"uri": base}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(code: str) -> dict[str, Any]:
    title = CODES.get(code, code)
    return {
        "id": code,
        "name": title,
        "shortDescription": {"text": title.replace("-", " ").capitalize()},
    }


def _result(d: Diagnostic, rule_index: int) -> dict[str, Any]:
    """One result; a waived policy finding carries an accepted external suppression."""
    text = f"{d.message}\nhint: {d.hint}" if d.hint else d.message
    result: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[d.severity],
        "message": {"text": text},
        "locations": [_location(d)],
    }
    if d.path:
        result["properties"] = {"jsonPointer": d.path}
    if d.suppression is not None:
        result["suppressions"] = [_suppression(d.suppression)]
    return result


def _suppression(s: Suppression) -> dict[str, Any]:
    """An external suppression: the waiver lives in another file than the finding.

    No `status`: the published schema calls it `state`, the OASIS text `status`;
    left out, the suppression counts as in effect for both.
    """
    properties = {
        key: value
        for key, value in (
            ("approvedBy", s.approved_by),
            ("expires", s.expires),
            ("source", s.source),
        )
        if value
    }
    out: dict[str, Any] = {"kind": "external", "justification": s.justification}
    if properties:
        out["properties"] = properties
    return out


def _location(d: Diagnostic) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": _uri(d.file or PROJECT_CONFIG), "uriBaseId": SRCROOT}
    }
    if d.file and d.line > 0:
        region = {"startLine": d.line}
        if d.column > 0:
            region["startColumn"] = d.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A relative URI reference for a project-relative file path."""
    return quote(path.replace("\\", "/"), safe="/")
