"""`data validate --format junit` is valid against junit-10.xsd (tests/vendor/README.md)."""

from __future__ import annotations

from pathlib import Path

import xmlschema
from engine_fixtures import Example
from hostile import SHORT

from modelspec.engine.data_report import FORMATS
from modelspec.engine.data_validation import Check, DataValidationResult

JUNIT_XSD = Path(__file__).parents[1] / "vendor" / "junit-10.xsd"


def test_the_report_is_valid_against_junit_10_xsd(example: Example) -> None:
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    contract = example.graph().get("datacontract.diabetes-cohort")
    assert contract is not None
    failed = Check("bmi", "bmi is at most 0.2", "expect_column_values_to_be_between", False, 6,
                   [float("nan"), SHORT, None])
    passed = Check(None, "rows", "expect_table_row_count_to_be_between", True, 0, [])
    for checks in ([failed, passed], [passed], []):
        result = DataValidationResult(all(c.success for c in checks), checks, 442)
        out = FORMATS.render("junit", result, contract, "data/\x1bx.csv")
        schema.validate(out.encode("utf-8"))
        assert "<testsuites name=\"modelspec data validate\"" in out and "skipped" in out
