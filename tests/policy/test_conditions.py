"""Conditions: every operator on present, absent and wrong-typed fields; nesting; CEL."""

from __future__ import annotations

from typing import Any

import pytest

from modelspec.policy.conditions import MISSING, ExprProblem, evaluate, lookup

CONTEXT: dict[str, Any] = {
    "apiVersion": "modelspec/v1",
    "kind": "Model",
    "metadata": {"name": "churn", "owner": "growth-ml", "labels": {"domain": "growth"}},
    "spec": {
        "version": "1.4.0",
        "risk": {"tier": "high", "personal_data": False},
        "card": {"human_oversight": "Staff review lists.", "limitations": [], "license": "  "},
        "replicas": 2,
        "ratio": 0.5,
        "flag": True,
        "features": ["tenure_months", "plan"],
        "columns": [{"name": "customer_id"}, {"name": "plan"}],
    },
    "refs": {"target": {"spec": {"protected": True}}},
}


def holds(condition: dict[str, Any]) -> bool:
    return evaluate(condition, CONTEXT)


def test_lookup_walks_mappings_and_list_indexes() -> None:
    assert lookup(CONTEXT, "spec.risk.tier") == "high"
    assert lookup(CONTEXT, "spec.columns.1.name") == "plan"
    assert lookup(CONTEXT, "refs.target.spec.protected") is True
    assert lookup(CONTEXT, "spec.columns.5.name") is MISSING
    assert lookup(CONTEXT, "spec.risk.tier.deeper") is MISSING
    assert lookup(CONTEXT, "refs.contract.spec") is MISSING


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "spec.risk.tier", "equals": "high"}, True),
        ({"field": "spec.risk.tier", "equals": "low"}, False),
        ({"field": "spec.nope", "equals": "high"}, False),
        ({"field": "spec.flag", "equals": True}, True),
        ({"field": "spec.flag", "equals": 1}, False),  # a boolean is not a number
        ({"field": "spec.replicas", "equals": 2.0}, True),
        ({"field": "spec.risk.tier", "not_equals": "low"}, True),
        ({"field": "spec.risk.tier", "not_equals": "high"}, False),
        ({"field": "spec.nope", "not_equals": "high"}, True),
        ({"field": "spec.risk.tier", "in": ["limited", "high"]}, True),
        ({"field": "spec.risk.tier", "in": ["minimal"]}, False),
        ({"field": "spec.nope", "in": ["high"]}, False),
        ({"field": "spec.risk.tier", "not_in": ["minimal"]}, True),
        ({"field": "spec.risk.tier", "not_in": ["high"]}, False),
        ({"field": "spec.nope", "not_in": ["high"]}, False),
        ({"field": "spec.card.human_oversight", "exists": True}, True),
        ({"field": "spec.card.nope", "exists": True}, False),
        ({"field": "spec.card.limitations", "exists": True}, False),  # empty list is not set
        ({"field": "spec.card.license", "exists": True}, False),  # blank text is not set
        ({"field": "spec.risk.personal_data", "exists": True}, True),  # false is a value
        ({"field": "spec.card.nope", "exists": False}, True),
        ({"field": "spec.card.human_oversight", "exists": False}, False),
        ({"field": "spec.replicas", "gt": 1}, True),
        ({"field": "spec.replicas", "gt": 2}, False),
        ({"field": "spec.replicas", "gte": 2}, True),
        ({"field": "spec.replicas", "gte": 3}, False),
        ({"field": "spec.ratio", "lt": 0.6}, True),
        ({"field": "spec.ratio", "lt": 0.5}, False),
        ({"field": "spec.ratio", "lte": 0.5}, True),
        ({"field": "spec.ratio", "lte": 0.4}, False),
        ({"field": "spec.nope", "gt": 0}, False),
        ({"field": "spec.nope", "lte": 0}, False),
        ({"field": "spec.risk.tier", "gt": 1}, False),  # not a number: false, no crash
        ({"field": "spec.flag", "gte": 0}, False),  # a boolean is not a number
        ({"field": "spec.version", "gte": "1.0.0"}, True),  # text compares with text
        ({"field": "metadata.name", "matches": "^ch"}, True),
        ({"field": "metadata.name", "matches": "urn"}, True),  # a search, not a full match
        ({"field": "metadata.name", "matches": "^tmp-"}, False),
        ({"field": "spec.replicas", "matches": "2"}, False),  # not text
        ({"field": "spec.nope", "matches": ".*"}, False),
        ({"field": "spec.features", "contains": "plan"}, True),
        ({"field": "spec.features", "contains": "customer_id"}, False),
        ({"field": "spec.card.human_oversight", "contains": "review"}, True),
        ({"field": "spec.card.human_oversight", "contains": "approve"}, False),
        ({"field": "spec.replicas", "contains": 2}, False),
        ({"field": "spec.nope", "contains": "plan"}, False),
        ({"field": "spec.columns.0.name", "equals": "customer_id"}, True),
        ({"field": "refs.target.spec.protected", "equals": True}, True),
        ({"field": "refs.contract.spec.version", "exists": False}, True),
    ],
)
def test_field_operators(condition: dict[str, Any], expected: bool) -> None:
    assert holds(condition) is expected


TRUE = {"field": "spec.risk.tier", "equals": "high"}
FALSE = {"field": "spec.risk.tier", "equals": "low"}


def test_all_any_not_and_nesting() -> None:
    assert holds({"all": [TRUE, TRUE]})
    assert not holds({"all": [TRUE, FALSE]})
    assert holds({"any": [FALSE, TRUE]})
    assert not holds({"any": [FALSE, FALSE]})
    assert holds({"not": FALSE})
    assert not holds({"not": TRUE})
    assert holds({"all": [{"not": FALSE}, {"any": [FALSE, {"all": [TRUE, {"not": FALSE}]}]}]})
    assert not holds({"not": {"any": [FALSE, {"not": FALSE}]}})


def test_cel_expression_true_and_false() -> None:
    assert holds({"expr": "spec.replicas > 1 && kind == 'Model'"})
    assert not holds({"expr": "spec.replicas > 5"})
    assert holds({"expr": "refs.target.spec.protected && metadata.labels.domain == 'growth'"})
    # `resource` is the whole document, as in `resource.spec...`
    assert holds({"expr": "resource.spec.features.exists(f, f == 'plan')"})
    assert holds({"all": [TRUE, {"expr": "!has(spec.nope)"}]})


def test_cel_runtime_error_is_false_and_reported_with_its_place() -> None:
    problems: list[ExprProblem] = []
    condition = {"all": [TRUE, {"not": {"expr": "spec.nope > 1"}}]}
    assert not evaluate({"all": [TRUE, {"expr": "spec.nope > 1"}]}, CONTEXT, problems=problems)
    assert len(problems) == 1
    assert problems[0].path == ("all", 1, "expr")
    assert "nope" in problems[0].message
    assert not problems[0].compile_failed
    problems.clear()
    # The failing expression itself is false, so `not` around it holds.
    assert evaluate(condition, CONTEXT, problems=problems)
    assert problems[0].path == ("all", 1, "not", "expr")


def test_cel_value_that_is_not_a_bool_is_a_problem() -> None:
    problems: list[ExprProblem] = []
    assert not evaluate({"expr": "spec.replicas"}, CONTEXT, problems=problems)
    assert "not a bool" in problems[0].message


def test_cel_compile_error_is_false_and_reported() -> None:
    problems: list[ExprProblem] = []
    assert not evaluate({"expr": "spec.replicas >"}, CONTEXT, problems=problems)
    assert problems[0].compile_failed
    assert "column 15" in problems[0].message


def test_cel_compiles_each_expression_once() -> None:
    from modelspec.policy import cel

    expression = "spec.replicas == 2 && size(spec.features) == 2"
    assert holds({"expr": expression})
    program = cel._PROGRAMS[expression]
    assert holds({"expr": expression})
    assert cel._PROGRAMS[expression] is program
    assert cel.compile_error(expression) is None
    assert cel.compile_error("1 +* 2") is not None


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("^churn$", "churn", True),
        ("^churn$", "churn\n", False),  # RE2's $ is the end of the text, not before a final newline
        ("urn", "churn\n", True),  # still a search
        (r"^\d+$", "١٢٣", False),  # \d is ASCII in RE2 (Python's re also took Arabic-Indic digits)
        ("(?i)^CHURN", "churn", True),
    ],
)
def test_matches_is_an_re2_search(pattern: str, value: str, expected: bool) -> None:
    context = {**CONTEXT, "metadata": {"name": value}}
    assert evaluate({"field": "metadata.name", "matches": pattern}, context) is expected


def test_cel_matches_is_an_re2_search() -> None:
    assert holds({"expr": "metadata.name.matches('^ch')"})
    assert holds({"expr": "matches(metadata.name, 'ur')"})  # the function form too
    assert not holds({"expr": "'churn\\n'.matches('^churn$')"})
    problems: list[ExprProblem] = []
    assert not evaluate({"expr": "metadata.name.matches('a(?=b)')"}, CONTEXT, problems=problems)
    assert problems[0].message.startswith(
        "matches(): the pattern 'a(?=b)' uses lookahead or lookbehind ((?=...)"
    )
    assert not problems[0].over_budget


def test_cel_out_of_budget_is_a_problem_of_its_own() -> None:
    from modelspec.policy.cel_budget import BUDGET

    listed = "[" + ",".join(map(str, range(60))) + "]"
    expression = f"{listed}.all(x, {listed}.all(y, {listed}.exists(z, x == y && y == z && z < 0)))"
    problems: list[ExprProblem] = []
    assert evaluate({"not": {"expr": expression}}, CONTEXT, problems=problems)  # false, as before
    (problem,) = problems
    assert problem.over_budget and not problem.compile_failed
    assert problem.message == (
        f"the CEL expression exceeded its evaluation budget of {BUDGET:,} steps; simplify it"
    )


def test_each_evaluation_has_a_budget_of_its_own() -> None:
    """The budget is per evaluation: a cheap expression after an exhausted one still runs."""
    listed = "[" + ",".join(map(str, range(60))) + "]"
    costly = {"expr": f"{listed}.all(x, {listed}.all(y, {listed}.all(z, true)))"}
    for _ in range(2):
        assert not holds(costly)
        assert holds({"expr": "spec.features.exists(f, f == 'plan')"})


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("(" * 30 + "true" + ")" * 30, "nests too deeply"),
        (" && ".join(["true"] * 300), "nests too deeply"),
        ("true || " * 2000 + "true", "characters long, over the limit of 10,000"),
    ],
)
def test_cel_bounds_are_compile_errors(expression: str, words: str) -> None:
    from modelspec.policy import cel

    error = cel.compile_error(expression)
    assert error is not None and words in error
    problems: list[ExprProblem] = []
    assert not evaluate({"expr": expression}, CONTEXT, problems=problems)
    assert problems[0].compile_failed


def test_cel_within_the_bounds_still_compiles() -> None:
    from modelspec.policy import cel

    assert cel.compile_error("(" * 20 + "true" + ")" * 20) is None
    assert cel.compile_error(" && ".join(["true"] * 150)) is None
    assert holds({"expr": " && ".join(["spec.replicas == 2"] * 150)})
