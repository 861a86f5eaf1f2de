"""The diff renderers on hostile spec values: Markdown inert, text one line per change, JSON valid."""

from __future__ import annotations

import re

import pytest
from hostile import CONTROL, HOSTILE, LINKING, SHORT, strict_json, workflow_commands

from modelspec.contracts import FORMATS
from modelspec.contracts.semantic import DiffReport, PathChange, ResourceChange
from modelspec.diagnostics import Diagnostic, Severity


def _report(base: str = "main") -> DiffReport:
    diffs = (
        PathChange("/metadata/description", "old", SHORT),
        PathChange("/spec/columns/0/max", 400, float("inf"), breaking=False, reason=SHORT),
        PathChange(
            "/spec/columns/1/min", float("nan"), -float("inf"), breaking=True, reason="range"
        ),
    )
    error = Diagnostic(Severity.ERROR, "MS502", f"breaking: {HOSTILE}", file="specs/c.yaml", line=3)
    return DiffReport(
        base, [ResourceChange("datacontract.c", "DataContract", "changed", diffs)], [error]
    )


def test_markdown_is_inert() -> None:
    out = FORMATS.render("markdown", _report())
    assert out.startswith("### modelspec diff against `main`\n")
    assert workflow_commands(out) == [] and not CONTROL.search(out)
    assert not LINKING.search(out.replace("&#8203;", "\u200b"))
    assert "](" not in out.replace("\\](", "") and "<img" not in out
    for line in out.splitlines():
        if line.startswith("| spec.") or line.startswith("| metadata."):
            assert len(re.findall(r"(?<!\\)\|", line)) == 6, line  # five columns, always
    assert "- :x: breaking: @&#8203;org/admins see \\[click\\](https&#8203;://evil.example)" in out


def test_markdown_base_ref_cannot_leave_its_code_span() -> None:
    out = FORMATS.render("markdown", _report(base="x` [a](https://e.vil) `"))
    assert out.startswith("### modelspec diff against `` x` [a](https://e.vil) ` ``\n")


def test_text_is_one_line_per_attribute() -> None:
    out = FORMATS.render("text", _report())
    assert workflow_commands(out) == [] and "\x1b" not in out
    lines = out.splitlines()
    assert lines[0] == "~ datacontract.c (changed)  [BREAKING]"
    assert len(lines) == 5  # header, three attributes, summary
    assert lines[2].startswith("    spec.columns[0].max: 400 -> Infinity  compatible: @org/x [a]")
    assert lines[2].endswith("\\n::error::p\\n#\\x23[error]x \\x1b[31m`|")


@pytest.mark.parametrize("value", [float("inf"), -float("inf"), float("nan")])
def test_json_is_standard_json_for_any_number(value: float) -> None:
    report = DiffReport(
        "main", [ResourceChange("model.m", "Model", "changed", (PathChange("/x", 1, value),))]
    )
    out = FORMATS.render("json", report)
    (diff,) = strict_json(out)["changes"][0]["diffs"]
    assert diff["after"] == {float("inf"): "Infinity", -float("inf"): "-Infinity"}.get(value, "NaN")


def test_json_keeps_hostile_text_exact_but_prints_no_command() -> None:
    out = FORMATS.render("json", _report())
    assert workflow_commands(out) == [] and "\x1b" not in out
    document = strict_json(out)
    assert document["errors"][0]["message"] == f"breaking: {HOSTILE}"
    assert document["changes"][0]["diffs"][0]["after"] == SHORT
