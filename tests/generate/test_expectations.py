"""DataContract -> GX suite JSON and record JSON Schema: every constraint mapped, deterministic output."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from modelspec.compile import compile_documents
from modelspec.compile.graph import Resource
from modelspec.generate.expectations import (
    DATE_PATTERN,
    TEXT_TYPE,
    TYPE_LISTS,
    record_schema,
    render_expectations,
    suite_of,
)
from modelspec.loading import load_text

CONTRACT = """\
apiVersion: modelspec/v1
kind: DataContract
metadata: {name: churn, owner: growth-ml}
spec:
  version: 1.3.0
  source: {path: data/churn.csv, format: csv}
  strict: true
  columns:
    - {name: customer_id, type: string, required: true, unique: true, pattern: "^C[0-9]+$", min_length: 2, max_length: 12}
    - {name: tenure_months, type: integer, required: true, min: 0, max: 600}
    - {name: plan, type: string, allowed: [basic, plus, pro]}
    - {name: monthly_charges, type: float, min: 0}
    - {name: signup_date, type: date}
    - {name: last_seen, type: datetime}
    - {name: churned, type: boolean, required: true, description: Left within 90 days.}
  quality:
    row_count: {min: 100}
"""


def compiled(text: str = CONTRACT) -> Resource:
    docs, diags = load_text("specs/churn.yaml", text)
    graph, more = compile_documents(docs)
    assert diags == [] and more == []
    return graph.resources["datacontract.churn"]


def expectations(resource: Resource) -> dict[tuple[str | None, str, str], dict[str, Any]]:
    """(column, constraint, type) -> expectation."""
    suite = suite_of(resource)
    out = {}
    for e in suite["expectations"]:
        key = (e["meta"].get("column"), e["meta"]["constraint"], e["type"])
        assert key not in out, key
        out[key] = e
    return out


def test_every_constraint_becomes_an_expectation_that_points_back() -> None:
    found = expectations(compiled())
    assert found[("tenure_months", "min", "expect_column_values_to_be_between")]["kwargs"] == {
        "column": "tenure_months", "min_value": 0,
    }
    assert found[("tenure_months", "max", "expect_column_values_to_be_between")]["kwargs"][
        "max_value"
    ] == 600
    assert found[("plan", "allowed", "expect_column_values_to_be_in_set")]["kwargs"]["value_set"] == [
        "basic", "plus", "pro",
    ]
    cid = "customer_id"
    assert (cid, "required", "expect_column_values_to_not_be_null") in found
    assert (cid, "unique", "expect_column_values_to_be_unique") in found
    assert found[(cid, "pattern", "expect_column_values_to_match_regex")]["kwargs"]["regex"] == "^C[0-9]+$"
    assert found[(cid, "min_length", "expect_column_value_lengths_to_be_between")]["kwargs"] == {
        "column": cid, "min_value": 2,
    }
    assert found[(cid, "max_length", "expect_column_value_lengths_to_be_between")]["kwargs"] == {
        "column": cid, "max_value": 12,
    }
    assert ("plan", "required", "expect_column_values_to_not_be_null") not in found
    assert found[("signup_date", "type", "expect_column_values_to_match_regex")]["kwargs"][
        "regex"
    ] == DATE_PATTERN
    assert found[(None, "columns", "expect_table_columns_to_match_set")]["kwargs"] == {
        "column_set": [
            "customer_id", "tenure_months", "plan", "monthly_charges", "signup_date", "last_seen",
            "churned",
        ],
        "exact_match": True,
    }
    assert found[(None, "row_count", "expect_table_row_count_to_be_between")]["kwargs"] == {
        "min_value": 100
    }
    for column in ("customer_id", "tenure_months", "plan", "churned", "signup_date"):
        assert (column, "exists", "expect_column_to_exist") in found
    for column in ("tenure_months", "monthly_charges", "churned"):
        assert (column, "type", "expect_column_values_to_be_in_type_list") in found
    for column in ("customer_id", "plan", "signup_date", "last_seen"):  # text: of type str
        assert found[(column, "type", "expect_column_values_to_be_of_type")]["kwargs"] == {
            "column": column, "type_": "str",
        }
        assert (column, "type", "expect_column_values_to_be_in_type_list") not in found
    for e in found.values():
        assert e["meta"]["contract"] == "churn"
        assert e["meta"]["rule"]


def test_rules_read_as_plain_words() -> None:
    rules = {(e["meta"].get("column"), e["meta"]["constraint"]): e["meta"]["rule"]
             for e in suite_of(compiled())["expectations"]}
    assert rules[("tenure_months", "min")] == "tenure_months is at least 0"
    assert rules[("tenure_months", "max")] == "tenure_months is at most 600"
    assert rules[("plan", "allowed")] == "plan is one of basic, plus, pro"
    assert rules[("churned", "required")] == "churned has a value in every row"
    assert rules[(None, "row_count")] == "the data has at least 100 rows"


def test_type_lists_fit_the_pandas_engine() -> None:
    assert "Int64Dtype" in TYPE_LISTS["integer"] and "float64" not in TYPE_LISTS["integer"]
    assert {"float64", "Float64Dtype", "int64"} <= set(TYPE_LISTS["float"])
    assert TYPE_LISTS["boolean"] == ["bool", "BooleanDtype"]
    # No type list matches pandas 3's `str` dtype in GX 1.24: text is checked by
    # expect_column_values_to_be_of_type (tests/engine/test_gx_suite_runs.py runs it).
    assert set(TYPE_LISTS) == {"integer", "float", "boolean"} and TEXT_TYPE == "str"


def test_strict_off_only_requires_the_listed_columns() -> None:
    found = expectations(compiled(CONTRACT.replace("strict: true", "strict: false")))
    assert found[(None, "columns", "expect_table_columns_to_match_set")]["kwargs"]["exact_match"] is False


def test_artifacts_are_deterministic_sorted_json() -> None:
    first, second = render_expectations(compiled()), render_expectations(compiled())
    assert [a.path for a in first] == [
        "contracts/churn/expectations.json", "contracts/churn/record.schema.json",
    ]
    assert [a.content for a in first] == [a.content for a in second]
    for artifact in first:
        data = json.loads(artifact.content)
        assert artifact.content.decode() == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    suite = json.loads(first[0].content)
    assert suite["name"] == "churn" and "id" not in suite
    assert suite["meta"]["contract_version"] == "1.3.0"


def test_record_schema_accepts_a_good_record_and_names_each_bad_field() -> None:
    schema = record_schema(compiled())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    good = {
        "customer_id": "C123", "tenure_months": 12, "plan": None, "monthly_charges": 9.5,
        "signup_date": "2024-03-01", "last_seen": "2024-03-01T10:00:00Z", "churned": False,
    }
    assert list(validator.iter_errors(good)) == []
    bad = {
        **good, "customer_id": "X", "tenure_months": -1, "plan": "gold", "signup_date": "01/03/2024",
        "churned": None, "extra": 1,
    }
    failing = {tuple(e.absolute_path)[:1] for e in validator.iter_errors(bad)}
    assert failing == {("customer_id",), ("tenure_months",), ("plan",), ("signup_date",), ("churned",), ()}
    missing = {k: v for k, v in good.items() if k != "tenure_months"}
    assert any("tenure_months" in e.message for e in validator.iter_errors(missing))
    assert schema["required"] == ["customer_id", "tenure_months", "churned"]
    assert schema["properties"]["churned"]["description"] == "Left within 90 days."
