"""JSON modelspec reads back and writes out: bounded in depth and number size, always finite.

Every file modelspec reads back (state, lock, triggers, audit log, saved plans,
registry manifests and aliases) and every request body the model server takes
is parsed by `loads`, so a hostile file is a clear `JsonRefused`, never a
RecursionError deep inside a later walk, a 4,301-digit integer or an
`Infinity` that standard JSON does not have. `dumps` refuses non-finite
numbers for the same reason: what modelspec prints is valid JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "JsonRefused", "dumps", "finite", "loads", "spelled"]

MAX_DEPTH = 100  # a spec nests at most 64 deep (loading.yaml12.LIMITS); state adds a few levels
MAX_NUMBER_CHARS = 64  # any integer or float modelspec writes fits in far fewer characters

_STRUCTURE = b'[]{}"'
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in _STRUCTURE)


class JsonRefused(ValueError):
    """Text that is not JSON modelspec accepts; the message says where and why."""


def loads(
    text: str | bytes, *, max_depth: int = MAX_DEPTH, non_finite_as_null: bool = False
) -> Any:
    """Parse JSON text, refusing deep nesting, huge numbers, NaN and infinities.

    Raises JsonRefused (a ValueError) with a message fit for a diagnostic.
    non_finite_as_null reads NaN and Infinity as null instead: files the first
    release wrote with Python's json (state, audit log) may hold them.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonRefused(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        value = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_null if non_finite_as_null else _parse_constant,
        )
    except json.JSONDecodeError as exc:
        raise JsonRefused(
            f"not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})"
        ) from None
    except RecursionError:
        raise JsonRefused(f"nested more than {max_depth} levels deep") from None
    except ValueError as exc:  # from the parse hooks below
        raise JsonRefused(str(exc)) from None
    if _depth(text, max_depth) > max_depth:
        raise JsonRefused(f"nested more than {max_depth} levels deep")
    return value


def dumps(value: Any, **options: Any) -> str:
    """json.dumps that refuses NaN and infinities (ValueError) instead of printing them."""
    return json.dumps(value, allow_nan=False, **options)


def finite(value: Any) -> Any:
    """value with every NaN or infinite float replaced by None (JSON null), for dumps."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def spelled(value: Any) -> Any:
    """value with every NaN or infinite float spelled as a string: "NaN", "Infinity", "-Infinity".

    For values where null already means something (absent, in a plan's diff)
    or where the reader needs to see which value it was (a failing sample).
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: spelled(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [spelled(item) for item in value]
    return value


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"an integer of {len(text):,} digits is too large")
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of {len(text):,} characters is too long")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of the range of a 64-bit float")
    return number


def _null(text: str) -> None:
    return None


def _parse_constant(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def _depth(text: str, limit: int) -> int:
    """How deep the containers of valid JSON text nest, at C speed (a third of json.loads).

    Escaped backslashes and quotes are dropped first, then everything but
    brackets and quotes, then the (now short) strings; each pass then removes
    every innermost pair, so the number of passes is the depth. Passes stop
    once the limit is passed, so a hostile document costs at most that many.
    """
    unescaped = text.encode("utf-8").replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(unescaped.translate(None, _NOT_STRUCTURE).split(b'"')[::2])
    depth = 0
    while brackets and depth <= limit:
        brackets = brackets.replace(b"[]", b"").replace(b"{}", b"")
        depth += 1
    return depth
