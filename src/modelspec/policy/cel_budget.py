"""A cost budget for CEL: celpy's tree-walking evaluator, metered step by step, and RE2 matches().

celpy 0.5 interprets the parse tree node by node (`celpy.evaluation.Evaluator`,
a lark Interpreter) and runs a macro (`all`, `exists`, `exists_one`, `map`,
`filter`) by evaluating its body once per element, each time through a
sub-evaluator. `MeteredEvaluator` charges one step for every node it visits,
so every iteration of every nested macro is paid for, and the operators and
functions whose work grows with their operands (`+`, `in`, comparisons,
`contains`, `matches`, ...) also pay the length of the text, list or map they
go through: `[[1]].map(a, a + a).map(...)` cannot double a list for free.
When an evaluation has spent `BUDGET` steps it stops with `OverBudget`.

This module imports celpy; modelspec.policy.cel imports it only when an
expression is compiled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

import celpy
import lark
from celpy.evaluation import CELEvalError, Evaluator, base_functions

from modelspec import regex

__all__ = ["BUDGET", "FUNCTIONS", "MeteredRunner", "OverBudget"]

# Steps one evaluation may take. The example project's one expression takes 727 on each model
# (12 contract columns); the same rule over 100 columns and 100 features takes 6,519, over 200
# and 200 14,219. A step costs celpy 15-25 microseconds, so an expression that runs out stops
# within about half a second of CPU time.
BUDGET = 25_000


class OverBudget(Exception):
    """An evaluation spent its BUDGET steps. Not a CELEvalError, so no celpy handler absorbs it."""


class _Meter:
    __slots__ = ("left",)

    def __init__(self, budget: int) -> None:
        self.left = budget


_METER: ContextVar[_Meter | None] = ContextVar("modelspec_cel_meter", default=None)


def _charge(steps: int) -> None:
    meter = _METER.get()
    if meter is None:  # evaluated outside MeteredRunner: nothing to count against
        return
    meter.left -= steps
    if meter.left < 0:
        raise OverBudget(BUDGET)


class MeteredEvaluator(Evaluator):
    """celpy's Evaluator, charging one step per node visited; macros get metered sub-evaluators."""

    def sub_evaluator(self, ast: lark.Tree[Any]) -> Evaluator:
        return MeteredEvaluator(ast, activation=self.activation)

    def _visit_tree(self, tree: lark.Tree[Any]) -> Any:
        _charge(1)
        return super()._visit_tree(tree)


class MeteredRunner(celpy.InterpretedRunner):
    """Evaluates the program with a fresh budget of BUDGET steps; raises OverBudget past it."""

    def evaluate(self, context: Any) -> Any:
        token = _METER.set(_Meter(BUDGET))
        try:
            return MeteredEvaluator(ast=self.ast, activation=self.new_activation()).evaluate(context)
        finally:
            _METER.reset(token)


def _size(value: Any) -> int:
    """The steps going through a value costs: a node visit costs celpy about as much as comparing
    16 list items or scanning 256 characters."""
    if isinstance(value, list | tuple | Mapping):
        return len(value) // 16
    if isinstance(value, str | bytes):
        return len(value) // 256
    return 0


def _metered(function: Callable[..., Any]) -> Callable[..., Any]:
    """function, charging the length of each text, list or map it takes and gives back."""

    def run(*args: Any) -> Any:
        _charge(sum(_size(a) for a in args))
        result = function(*args)
        _charge(_size(result))
        return result

    run.__name__ = getattr(function, "__name__", "function")
    return run


def _matches(text: Any, pattern: Any) -> Any:
    """CEL's matches(): an RE2 search (unanchored), compiled once by modelspec.regex."""
    if not isinstance(text, str) or not isinstance(pattern, str):
        return CELEvalError("no such overload", TypeError, ("matches() takes two strings",))
    try:
        return celpy.celtypes.BoolType(regex.search(pattern, text))
    except regex.RegexRefused as exc:
        return CELEvalError(f"matches(): the pattern '{pattern}' {exc}", ValueError, ())


_SIZED = ("_+_", "_<_", "_<=_", "_>_", "_>=_", "_==_", "_!=_", "_in_", "contains", "startsWith",
          "endsWith")
FUNCTIONS: dict[str, Any] = {
    **{name: _metered(base_functions[name]) for name in _SIZED},
    "matches": _metered(_matches),
}
