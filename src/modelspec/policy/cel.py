"""CEL expressions in conditions: compiled once per process, celpy imported only when one is used.

An expression is bounded before it runs: at most MAX_LENGTH characters and a
parse tree at most MAX_DEPTH levels deep (celpy's evaluator recurses along the
tree, so a deeper one would end in a RecursionError), and each evaluation has
a budget of steps (modelspec.policy.cel_budget). `matches()` is an RE2 search.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "CelOutcome", "compile_error", "evaluate_expr"]

MAX_LENGTH = 10_000  # characters; the example's one expression has 130
# Parse-tree levels. Each costs celpy's evaluator about five Python frames, and celpy raises
# the recursion limit to 2,500; one pair of parentheses is ten levels, `a && b` one more.
MAX_DEPTH = 250

# expression -> compiled program, or the compile error's message
_PROGRAMS: dict[str, Any] = {}
_ENVIRONMENT: list[Any] = []  # the one celpy.Environment, created on first use

# The variables an expression sees, taken from the condition context.
_VARIABLES = ("apiVersion", "kind", "metadata", "spec", "refs")


@dataclass(frozen=True, slots=True)
class CelOutcome:
    """The value of an expression; error says why it could not be computed (value is then False)."""

    value: bool
    error: str = ""
    compile_failed: bool = False
    over_budget: bool = False  # the evaluation ran out of steps (error says so)


class _CompileFailure(str):
    """A compile error message, kept in the cache in place of a program."""


def _environment() -> Any:
    if not _ENVIRONMENT:
        import celpy

        from modelspec.policy.cel_budget import MeteredRunner

        _ENVIRONMENT.append(celpy.Environment(runner_class=MeteredRunner))
    return _ENVIRONMENT[0]


def _program(expression: str) -> Any:
    cached = _PROGRAMS.get(expression)
    if cached is not None:
        return cached
    _PROGRAMS[expression] = program = _build(expression)
    return program


def _build(expression: str) -> Any:
    if len(expression) > MAX_LENGTH:
        return _CompileFailure(
            f"the CEL expression is {len(expression):,} characters long, over the limit of "
            f"{MAX_LENGTH:,}: split it into several rules"
        )
    from celpy.celparser import CELParseError

    from modelspec.policy.cel_budget import FUNCTIONS

    env = _environment()
    try:
        tree = env.compile(expression)
    except CELParseError as exc:
        return _CompileFailure(_parse_message(exc))
    except Exception as exc:  # celpy raises assorted errors for expressions it cannot build
        return _CompileFailure(f"invalid CEL: {_short(exc)}")
    if _depth(tree) > MAX_DEPTH:
        return _CompileFailure(
            f"the CEL expression nests too deeply (its parse tree is over {MAX_DEPTH} levels): "
            "use fewer nested parentheses and macros, or split it into several rules"
        )
    try:
        return env.program(tree, functions=FUNCTIONS)
    except Exception as exc:
        return _CompileFailure(f"invalid CEL: {_short(exc)}")


def _depth(tree: Any) -> int:
    """How many levels the parse tree has, counted without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in getattr(node, "children", ()))
    return deepest


def compile_error(expression: str) -> str | None:
    """Why the expression does not compile, or None when it does."""
    program = _program(expression)
    return str(program) if isinstance(program, _CompileFailure) else None


def evaluate_expr(expression: str, context: Mapping[str, Any]) -> CelOutcome:
    """The expression's value over a condition context (metadata, spec, kind, refs, resource).

    A runtime error or a value that is not a bool gives False with the reason.
    """
    program = _program(expression)
    if isinstance(program, _CompileFailure):
        return CelOutcome(False, str(program), compile_failed=True)
    from celpy import celtypes
    from celpy.adapter import json_to_cel

    from modelspec.policy.cel_budget import BUDGET, OverBudget

    document = {name: context[name] for name in _VARIABLES if name in context and name != "refs"}
    try:
        activation = {name: json_to_cel(value) for name, value in document.items()}
        activation["refs"] = json_to_cel(dict(context.get("refs") or {}))
        activation["resource"] = json_to_cel(document)
        result = program.evaluate(activation)
    except OverBudget:
        return CelOutcome(
            False,
            f"the CEL expression exceeded its evaluation budget of {BUDGET:,} steps; simplify it",
            over_budget=True,
        )
    except Exception as exc:  # CELEvalError and the Python errors it wraps
        return CelOutcome(False, _short(exc))
    if isinstance(result, Exception):  # celpy may return an error value instead of raising
        return CelOutcome(False, _short(result))
    if not isinstance(result, celtypes.BoolType | bool):
        return CelOutcome(False, f"the expression gives {_type_name(result)}, not a bool")
    return CelOutcome(bool(result))


def _parse_message(exc: Exception) -> str:
    """'invalid CEL at line 1, column 8: unexpected end of expression'."""
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    where = f" at line {line}, column {column}" if line and column else ""
    reason = str(exc.__context__ or "").strip()
    reason = reason.splitlines()[0] if reason else "cannot parse"
    reason = re.sub(r" at line \d+, column \d+\.?$", "", reason)
    reason = reason.replace("token Token('$END', '')", "end of expression")
    reason = re.sub(r"Token\('[^']*', '([^']*)'\)", r"'\1'", reason)
    return f"invalid CEL{where}: {reason[:1].lower()}{reason[1:]}"


def _type_name(value: Any) -> str:
    name = type(value).__name__
    return name.removesuffix("Type").lower() if name.endswith("Type") else name


def _short(exc: BaseException) -> str:
    """The first argument of a celpy error, without the activation dump it sometimes carries."""
    text = str(exc.args[0]) if exc.args else str(exc)
    return _first_line(text.split(" (in activation", 1)[0])


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return line if len(line) <= 200 else line[:197] + "..."
