"""The data validation report: observed values never make invalid JSON, a CI command or a control."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from engine_fixtures import Example
from hostile import CONTROL, SHORT, run, strict_json, workflow_commands

from modelspec.compile.graph import Resource
from modelspec.engine.data_report import FORMATS
from modelspec.engine.data_validation import Check, DataValidationResult

SAMPLES = [float("inf"), -float("inf"), float("nan"), SHORT, None, 1.5]


@pytest.fixture
def contract(example: Example) -> Resource:
    resource = example.graph().get("datacontract.diabetes-cohort")
    assert resource is not None
    return resource


def _result() -> DataValidationResult:
    check = Check(
        "bmi", "bmi is at most 0.2", "expect_column_values_to_be_between", False, 6, SAMPLES
    )
    passed = Check(
        None, "the table has at least 100 rows", "expect_table_row_count_to_be_between", True, 0, []
    )
    return DataValidationResult(False, [check, passed], 442)


def test_json_spells_non_finite_values_and_stays_standard(contract: Resource) -> None:
    out = FORMATS.render("json", _result(), contract, "data/x.csv")
    document = strict_json(out)
    assert document["checks"][0]["unexpected_sample"] == [
        "Infinity",
        "-Infinity",
        "NaN",
        SHORT,
        None,
        1.5,
    ]
    assert workflow_commands(out) == [] and "\x1b" not in out


def test_text_shows_each_failure_on_one_line(contract: Resource) -> None:
    out = FORMATS.render("text", _result(), contract, "data/x\n::error::y.csv")
    assert workflow_commands(out) == [] and not CONTROL.search(out)
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("data/x\\n::error::y.csv: 442 rows checked")
    assert lines[1] == (
        "  FAIL bmi is at most 0.2: 6 values fail (e.g. Infinity, -Infinity, NaN, "
        '"@org/x [a](https://e.vil)\\n::error::p\\n#\\x23[error]x \\u001b[31m`|", null, 1.5)'
    )


def test_junit_is_a_valid_document_without_commands(contract: Resource) -> None:
    out = FORMATS.render("junit", _result(), contract, "data/\x1bx.csv")
    ET.fromstring(out)
    assert workflow_commands(out) == [] and "\x1b" not in out


@pytest.mark.slow  # runs Great Expectations
def test_data_validate_json_on_infinite_values_is_valid_json(tmp_path: Path) -> None:
    from modelspec.examples.scaffold import init_project

    root = tmp_path / "example"
    init_project(root)
    lines = (root / "data" / "diabetes.csv").read_text("utf-8").splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    rows[0][header.index("bmi")], rows[1][header.index("bmi")] = "inf", "-inf"
    (root / "data" / "diabetes.csv").write_text(
        "\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n", "utf-8"
    )
    code, out, _ = run(root, "data", "validate", "diabetes-cohort", "--format", "json")
    assert code == 1
    document = strict_json(out)  # printed Infinity before
    samples = [s for c in document["checks"] for s in c["unexpected_sample"]]
    assert "Infinity" in samples and "-Infinity" in samples
