"""CEL expressions in conditions: compiled once per process, celpy imported only when one is used."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CelOutcome", "compile_error", "evaluate_expr"]

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


class _CompileFailure(str):
    """A compile error message, kept in the cache in place of a program."""


def _environment() -> Any:
    if not _ENVIRONMENT:
        import celpy

        _ENVIRONMENT.append(celpy.Environment())
    return _ENVIRONMENT[0]


def _program(expression: str) -> Any:
    cached = _PROGRAMS.get(expression)
    if cached is not None:
        return cached
    from celpy.celparser import CELParseError

    env = _environment()
    try:
        program: Any = env.program(env.compile(expression))
    except CELParseError as exc:
        program = _CompileFailure(_parse_message(exc))
    except Exception as exc:  # celpy raises assorted errors for expressions it cannot build
        program = _CompileFailure(f"invalid CEL: {_short(exc)}")
    _PROGRAMS[expression] = program
    return program


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

    document = {name: context[name] for name in _VARIABLES if name in context and name != "refs"}
    activation = {name: json_to_cel(value) for name, value in document.items()}
    activation["refs"] = json_to_cel(dict(context.get("refs") or {}))
    activation["resource"] = json_to_cel(document)
    try:
        result = program.evaluate(activation)
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
