"""SARIF 2.1.0 output, shaped for GitHub code scanning uploads.

GitHub reads a subset of SARIF: every result needs ruleId, message.text and a
location with a URI relative to the repository root (a region's startLine and
startColumn are 1-based); every rule needs shortDescription, fullDescription and
help (Microsoft's SARIF multitool checks this as GH2012). Files are named from
the repository root, not the project's, so a project in `ml/` reports
`ml/specs/...`. Rules are listed only for the codes that occur, in code order,
so ruleIndex is stable for a given set of findings.

Each result carries a partial fingerprint, which GitHub uses to recognise an
alert across runs and commits: see `line_hash`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from modelspec import jsonio
from modelspec.diagnostics import CODES, Diagnostic, Severity, Suppression
from modelspec.diagnostics.render import RenderContext
from modelspec.diagnostics.repository import repository_relative
from modelspec.diagnostics.rules import DESCRIPTIONS, REPOSITORY_URI, help_uri, plain
from modelspec.safetext import inert_json

__all__ = [
    "FINGERPRINT",
    "INFORMATION_URI",
    "PROJECT_CONFIG",
    "SCHEMA_URI",
    "SRCROOT",
    "line_hash",
    "log",
    "render",
]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = REPOSITORY_URI
SRCROOT = "%SRCROOT%"
# The partialFingerprints key; a new way of computing the value gets a new version.
FINGERPRINT = "modelspecLineHash/v1"
# Where a finding about the whole project (no file of its own) is reported:
# code scanning drops results that have no location.
PROJECT_CONFIG = "modelspec.yaml"

_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTE: "note",
}
_SRCROOT_BASE = {
    "description": {
        "text": "The top of the git repository (git rev-parse --show-toplevel); "
        "the checkout directory on a CI runner."
    }
}


def render(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
    """The SARIF log as JSON with sorted keys and an indent of 2, ending in a newline."""
    return inert_json(jsonio.dumps(log(diagnostics, ctx), indent=2, sort_keys=True)) + "\n"


def log(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> dict[str, Any]:
    """The sarifLog object with one run; no absolute path of this machine appears in it."""
    codes = sorted({d.code for d in diagnostics})
    rule_index = {code: i for i, code in enumerate(codes)}
    seen: Counter[str] = Counter()
    results = []
    for d in diagnostics:
        key = line_hash(d, ctx)
        seen[key] += 1
        result = _result(d, rule_index[d.code], ctx.repository_path)
        result["partialFingerprints"] = {FINGERPRINT: f"{key}:{seen[key]}"}
        results.append(result)
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
        "originalUriBaseIds": {SRCROOT: _SRCROOT_BASE},
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def line_hash(d: Diagnostic, ctx: RenderContext) -> str:
    """16 hex digits that name a finding's place; its fingerprint is `<line_hash>:<occurrence>`.

    This follows GitHub's own primaryLocationLineHash (a hash of the line's
    text, a colon, and which occurrence of that hash in the file it is): the
    digits hash the rule id, the file's path from the repository root and the
    offending line's text with all white space removed (the message, for a
    finding without a line). The occurrence (1, 2, ...) tells apart findings of
    one rule on lines that read the same in one file. Edits elsewhere in the
    file, lines moving up or down and re-indentation leave it unchanged; so does
    a new modelspec release that rewords a message, when the line is known.
    """
    line = ctx.source_line(d.file, d.line) if d.file and d.line > 0 else ""
    content = "".join((line or d.message).split())
    file = repository_relative(ctx.repository_path, d.file or PROJECT_CONFIG)
    material = "\0".join((d.code, file, content)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(material).hexdigest()[:16]


def _rule(code: str) -> dict[str, Any]:
    title = CODES.get(code, code)
    short = title.replace("-", " ").capitalize()
    markdown = _sentence(DESCRIPTIONS.get(code, short))
    description = plain(markdown)
    rule: dict[str, Any] = {
        "id": code,
        "name": title,
        "shortDescription": {"text": short},
        "fullDescription": {"text": description, "markdown": markdown},
    }
    uri = help_uri(code)
    if uri:
        rule["helpUri"] = uri
        rule["help"] = {
            "text": f"{code} {title}: {description} See {uri}",
            "markdown": f"**{code} {title}**: {markdown}\n\nSee [the list of codes]({uri}).",
        }
    else:
        rule["help"] = {"text": f"{code}: {description}", "markdown": f"**{code}**: {markdown}"}
    return rule


def _sentence(description: str) -> str:
    """A table cell's description as a sentence (one that starts with `a name` keeps its case)."""
    return description[:1].upper() + description[1:] + "."


def _result(d: Diagnostic, rule_index: int, prefix: str) -> dict[str, Any]:
    """One result; a waived policy finding carries an accepted external suppression."""
    text = f"{d.message}\nhint: {d.hint}" if d.hint else d.message
    result: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[d.severity],
        "message": {"text": text},
        "locations": [_location(d, prefix)],
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


def _location(d: Diagnostic, prefix: str) -> dict[str, Any]:
    path = repository_relative(prefix, d.file or PROJECT_CONFIG)
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT}}
    if d.file and d.line > 0:
        region = {"startLine": d.line}
        if d.column > 0:
            region["startColumn"] = d.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A relative URI reference for a repository-relative file path."""
    return quote(path, safe="/")
