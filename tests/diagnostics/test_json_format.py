"""The validate JSON document (DESIGN.md section 3)."""

from __future__ import annotations

import json

from modelspec import __version__
from modelspec.diagnostics import Diagnostic
from modelspec.diagnostics.render import RenderContext, render

DIAGNOSTIC_KEYS = {"severity", "code", "message", "file", "line", "column", "path", "hint"}


def test_document_matches_the_contract(nasty: list[Diagnostic]) -> None:
    doc = json.loads(render("json", nasty, RenderContext()))
    assert set(doc) == {
        "format_version",
        "tool",
        "valid",
        "error_count",
        "warning_count",
        "diagnostics",
    }
    assert doc["format_version"] == "1"
    assert doc["tool"] == {"name": "modelspec", "version": __version__}
    assert doc["valid"] is False
    assert doc["error_count"] == 3
    assert doc["warning_count"] == 1
    assert len(doc["diagnostics"]) == 5
    for item in doc["diagnostics"]:
        assert set(item) == DIAGNOSTIC_KEYS
        assert item["severity"] in {"error", "warning", "note"}
        assert isinstance(item["line"], int) and isinstance(item["column"], int)
        assert isinstance(item["file"], str) and isinstance(item["hint"], str)


def test_diagnostic_fields_round_trip_exactly(nasty: list[Diagnostic]) -> None:
    doc = json.loads(render("json", nasty, RenderContext()))
    first = next(d for d in doc["diagnostics"] if d["code"] == "MS202")
    assert first == {
        "severity": "error",
        "code": "MS202",
        "message": 'unknown field "estimater"',
        "file": "specs/models.yaml",
        "line": 12,
        "column": 7,
        "path": "/spec/training/estimater",
        "hint": 'did you mean "estimator"?',
    }
    messages = {d["message"] for d in doc["diagnostics"]}
    assert {d.message for d in nasty} == messages  # control chars, quotes, unicode intact


def test_no_diagnostics_is_valid_with_an_empty_list() -> None:
    out = render("json", [], RenderContext(tool_version="9.9.9"))
    doc = json.loads(out)
    assert doc["valid"] is True
    assert doc["diagnostics"] == []
    assert doc["error_count"] == 0 and doc["warning_count"] == 0
    assert doc["tool"]["version"] == "9.9.9"
    assert "null" not in out


def test_warnings_alone_keep_it_valid(nasty: list[Diagnostic]) -> None:
    warnings_only = [d for d in nasty if not d.is_error]
    assert json.loads(render("json", warnings_only, RenderContext()))["valid"] is True


def test_sorted_keys_indent_two_ascii(nasty: list[Diagnostic]) -> None:
    out = render("json", nasty, RenderContext())
    assert out == json.dumps(json.loads(out), indent=2, sort_keys=True) + "\n"
    assert out.isascii()
    assert out.startswith('{\n  "diagnostics": [\n')
