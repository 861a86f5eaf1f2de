"""Conditions: exactly one form, aliases for keywords, readable errors."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from modelspec.spec import Condition
from modelspec.spec.conditions import OPERATORS

VALUES: dict[str, Any] = {
    "equals": "high",
    "not_equals": 3,
    "in": ["a", 1, True],
    "not_in": [0.5],
    "exists": False,
    "gt": 1,
    "gte": 0.5,
    "lt": "2027-01-01",
    "lte": 10,
    "matches": "^sklearn\\.",
    "contains": "plan",
}


@pytest.mark.parametrize("op", OPERATORS)
def test_each_operator_is_a_field_condition(op: str) -> None:
    cond = Condition.model_validate({"field": "spec.risk.tier", op: VALUES[op]})
    assert cond.operator() == op
    dumped = cond.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped == {"field": "spec.risk.tier", op: VALUES[op]}
    assert Condition.model_validate(dumped) == cond


def test_combinators_nest() -> None:
    data = {
        "any": [
            {
                "all": [
                    {"field": "refs.contract.spec.strict", "equals": True},
                    {"not": {"field": "metadata.labels.tier", "exists": True}},
                ]
            },
            {"expr": "resource.spec.replicas.min >= 2"},
        ]
    }
    cond = Condition.model_validate(data)
    assert cond.any_ is not None and cond.any_[0].all_ is not None
    assert cond.any_[0].all_[1].not_ is not None
    assert cond.operator() is None
    assert cond.model_dump(mode="json", by_alias=True, exclude_none=True) == data


def error_of(data: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as info:
        Condition.model_validate(data)
    (err,) = info.value.errors()
    return dict(err)


@pytest.mark.parametrize(
    ("data", "at", "words"),
    [
        ({}, "field", "empty condition"),
        ({"field": "spec.task"}, "field", "no operator"),
        ({"field": "spec.task", "equals": "a", "in": ["a"]}, "in", "exactly one operator"),
        ({"equals": "a"}, "equals", "needs a field"),
        ({"field": "spec.task", "equals": "a", "not": {"expr": "true"}}, "not", "not both"),
        ({"all": [{"expr": "x"}], "any": [{"expr": "y"}]}, "any", "one of all, any"),
        ({"expr": "x", "not": {"expr": "y"}}, "expr", "one of all, any"),
    ],
)
def test_exactly_one_form(data: dict[str, Any], at: str, words: str) -> None:
    err = error_of(data)
    assert err["type"] == "ms_inconsistent"
    assert err["ctx"]["at"] == at
    assert words in err["msg"]


def test_errors_inside_nested_conditions_point_there() -> None:
    err = error_of({"all": [{"expr": "x"}, {"field": "spec.task"}]})
    assert err["loc"] == ("all", 1)
    err = error_of({"not": {"field": "spec.task", "equls": 1}})
    assert err["type"] == "extra_forbidden" and err["loc"] == ("not", "equls")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"field": "spec.task", "matches": "(unclosed"}, "ms_invalid_regex"),
        ({"field": "status.ready", "exists": True}, "string_pattern_mismatch"),
        ({"field": "spec.task", "in": []}, "too_short"),
        ({"all": []}, "too_short"),
        ({"expr": ""}, "string_too_short"),
        ({"field": "spec.task", "exists": "yes"}, "bool_type"),
    ],
)
def test_value_errors(data: dict[str, Any], error: str) -> None:
    assert error_of(data)["type"] == error
