"""Evaluating conditions (field tests, all/any/not, CEL) against a resource's context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from modelspec import regex

__all__ = ["MISSING", "ConditionPath", "ExprProblem", "evaluate", "is_set", "lookup", "split_field"]

ConditionPath = tuple[str | int, ...]


class _Missing:
    """The value of a field that is not there."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


@dataclass(frozen=True, slots=True)
class ExprProblem:
    """A CEL expression that could not give a value; the condition it sits in counted as false.

    path is where the `expr` key stands inside the condition evaluated: ("all", 1, "expr").
    """

    path: ConditionPath
    expression: str
    message: str
    compile_failed: bool
    over_budget: bool = False  # ran out of evaluation steps: an error, not a missing field


def split_field(field: str) -> tuple[str | int, ...]:
    """Split a dotted path: spec.columns.0.name -> ("spec", "columns", 0, "name")."""
    return tuple(int(part) if part.isdigit() else part for part in field.split("."))


def lookup(context: Mapping[str, Any], field: str) -> Any:
    """The value at a dotted path, or MISSING. A number steps into a list."""
    value: Any = context
    for part in split_field(field):
        if isinstance(value, Mapping):
            key = str(part)
            if key not in value:
                return MISSING
            value = value[key]
        elif isinstance(value, list) and isinstance(part, int):
            if part >= len(value):
                return MISSING
            value = value[part]
        else:
            return MISSING
    return MISSING if value is None else value


def is_set(value: Any) -> bool:
    """Present and not empty: not missing, not blank text, not an empty list or mapping."""
    if value is MISSING or value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | dict):
        return len(value) > 0
    return True


def evaluate(
    condition: Mapping[str, Any],
    context: Mapping[str, Any],
    *,
    problems: list[ExprProblem] | None = None,
) -> bool:
    """Whether a condition (its normalized dict, aliases as keys) holds for a context.

    context is {"apiVersion", "kind", "metadata", "spec", "refs": {"contract": ..., ...}}.
    A missing field fails every test but `exists: false` and `not_equals`. A CEL
    expression that cannot be evaluated counts as false and is added to problems.
    """
    return _evaluate(condition, context, (), problems)


def _evaluate(
    condition: Mapping[str, Any],
    context: Mapping[str, Any],
    at: ConditionPath,
    problems: list[ExprProblem] | None,
) -> bool:
    if "field" in condition:
        return _test(condition, lookup(context, condition["field"]))
    if "all" in condition:
        return all(
            _evaluate(sub, context, (*at, "all", i), problems)
            for i, sub in enumerate(condition["all"])
        )
    if "any" in condition:
        return any(
            _evaluate(sub, context, (*at, "any", i), problems)
            for i, sub in enumerate(condition["any"])
        )
    if "not" in condition:
        return not _evaluate(condition["not"], context, (*at, "not"), problems)
    if "expr" in condition:
        from modelspec.policy.cel import evaluate_expr

        outcome = evaluate_expr(condition["expr"], context)
        if outcome.error and problems is not None:
            problems.append(
                ExprProblem(
                    (*at, "expr"),
                    condition["expr"],
                    outcome.error,
                    outcome.compile_failed,
                    outcome.over_budget,
                )
            )
        return outcome.value
    raise ValueError(f"not a condition: {dict(condition)!r}")  # the spec models rule this out


def _test(condition: Mapping[str, Any], value: Any) -> bool:
    if "exists" in condition:
        return is_set(value) == bool(condition["exists"])
    if "not_equals" in condition:
        return value is MISSING or not _same(value, condition["not_equals"])
    if value is MISSING:
        return False
    if "equals" in condition:
        return _same(value, condition["equals"])
    if "in" in condition:
        return any(_same(value, option) for option in condition["in"])
    if "not_in" in condition:
        return not any(_same(value, option) for option in condition["not_in"])
    for op in ("gt", "gte", "lt", "lte"):
        if op in condition:
            return _compare(op, value, condition[op])
    if "matches" in condition:
        return isinstance(value, str) and _search(condition["matches"], value)
    if "contains" in condition:
        return _contains(value, condition["contains"])
    raise ValueError(f"condition on {condition['field']!r} has no operator")


def _same(value: Any, expected: Any) -> bool:
    """Equality that keeps booleans apart from numbers (true is not 1)."""
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    return bool(value == expected)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare(op: str, value: Any, bound: Any) -> bool:
    """Numbers compare with numbers, text with text (ISO dates order as text); else false."""
    comparable = (_is_number(value) and _is_number(bound)) or (
        isinstance(value, str) and isinstance(bound, str)
    )
    if not comparable:
        return False
    if op == "gt":
        return bool(value > bound)
    if op == "gte":
        return bool(value >= bound)
    if op == "lt":
        return bool(value < bound)
    return bool(value <= bound)


def _contains(value: Any, item: Any) -> bool:
    if isinstance(value, list):
        return any(_same(element, item) for element in value)
    if isinstance(value, str):
        return isinstance(item, str) and item in value
    return False


def _search(pattern: str, value: str) -> bool:
    """RE2's unanchored search, linear in the value; the Regex spec type vetted the pattern."""
    return regex.search(pattern, value)
