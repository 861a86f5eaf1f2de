"""Classification of data-contract changes under semver: what breaks consumers and what does not."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from modelspec.contracts.compat import breaking_reasons, classify, needs_major_bump

BASE: dict[str, Any] = {
    "apiVersion": "modelspec/v1",
    "kind": "DataContract",
    "metadata": {"name": "churn", "owner": "growth-ml"},
    "spec": {
        "version": "1.3.0",
        "source": {"path": "data/churn.csv", "format": "csv"},
        "strict": False,
        "columns": [
            {"name": "customer_id", "type": "string", "required": True, "unique": True},
            {"name": "tenure_months", "type": "integer", "required": True, "unique": False,
             "min": 0, "max": 600},
            {"name": "plan", "type": "string", "required": False, "unique": False,
             "allowed": ["basic", "plus", "pro"], "description": "Plan name."},
            {"name": "code", "type": "string", "required": False, "unique": False,
             "min_length": 2, "max_length": 8},
        ],
        "quality": {"row_count": {"min": 100}},
    },
}


def edited(**columns: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    for column in doc["spec"]["columns"]:
        column.update(columns.get(column["name"], {}))
    return doc


@pytest.mark.parametrize(
    ("after", "reason"),
    [
        (edited(tenure_months={"type": "float"}), "column tenure_months: type changed from integer to float"),
        (edited(plan={"required": True}), "column plan: made required"),
        (edited(plan={"unique": True}), "column plan: made unique"),
        (edited(tenure_months={"min": 1}), "column tenure_months: min raised from 0 to 1 (range narrowed)"),
        (edited(tenure_months={"max": 500}), "column tenure_months: max lowered from 600 to 500 (range narrowed)"),
        (edited(code={"max_length": 6}), "column code: max_length lowered from 8 to 6 (range narrowed)"),
        (edited(code={"min_length": 3}), "column code: min_length raised from 2 to 3 (range narrowed)"),
        (edited(plan={"allowed": ["basic", "pro"]}), "column plan: allowed values narrowed: plus no longer allowed"),
        (edited(code={"pattern": "^[A-Z]+$"}), "column code: pattern added"),
        (edited(plan={"classification": "pii"}), "column plan: classification changed from (none) to pii"),
    ],
)
def test_breaking_column_changes(after: dict[str, Any], reason: str) -> None:
    assert breaking_reasons(BASE, after) == [reason]
    assert needs_major_bump(BASE, after)
    bumped = copy.deepcopy(after)
    bumped["spec"]["version"] = "2.0.0"
    assert not needs_major_bump(BASE, bumped)


def test_removed_column_and_strict_and_row_count_are_breaking() -> None:
    after = copy.deepcopy(BASE)
    del after["spec"]["columns"][2]
    after["spec"]["strict"] = True
    after["spec"]["quality"]["row_count"]["min"] = 200
    reasons = breaking_reasons(BASE, after)
    assert reasons == [
        "column plan removed (or renamed): consumers that read it break",
        "strict turned on: data with extra columns fails",
        "row count min raised from 100 to 200 (range narrowed)",
    ]
    removed = next(c for c in classify(BASE, after) if c.column == "plan")
    assert removed.path == "/spec/columns/2" and removed.after is None


@pytest.mark.parametrize(
    "after",
    [
        edited(tenure_months={"min": -1, "max": 700}),
        edited(plan={"allowed": ["basic", "plus", "pro", "max"]}),
        edited(plan={"description": "The plan a customer pays for."}),
        edited(customer_id={"unique": False, "required": False}),
        edited(code={"min_length": 1}),
    ],
)
def test_compatible_changes(after: dict[str, Any]) -> None:
    changes = classify(BASE, after)
    assert changes and not any(c.breaking for c in changes)
    assert not needs_major_bump(BASE, after)


def test_optional_column_added_is_compatible_but_required_is_not() -> None:
    after = copy.deepcopy(BASE)
    after["spec"]["columns"].append({"name": "region", "type": "string", "required": False})
    (change,) = classify(BASE, after)
    assert (change.path, change.breaking, change.reason) == (
        "/spec/columns/4", False, "column region added as optional",
    )
    after["spec"]["columns"][-1]["required"] = True
    assert breaking_reasons(BASE, after) == ["column region added as required: data without it fails"]


def test_a_column_replaced_in_place_by_one_of_its_type_reads_as_a_rename() -> None:
    after = copy.deepcopy(BASE)
    after["spec"]["columns"][2] = {**after["spec"]["columns"][2], "name": "tier"}
    assert breaking_reasons(BASE, after) == [
        "column plan removed (renamed to tier?): consumers that read it break"
    ]
