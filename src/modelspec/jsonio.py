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
import re
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "JsonRefused", "dumps", "finite", "loads", "spelled"]

MAX_DEPTH = 100  # a spec nests at most 64 deep (loading.yaml12.LIMITS); state adds a few levels
MAX_NUMBER_CHARS = 64  # any integer or float modelspec writes fits in far fewer characters

_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_CHUNK = 1 << 20


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
    outside = _outside_strings(text)
    _check_numbers(outside)
    _check_surrogates(text)
    try:
        value = json.loads(text, parse_constant=_null if non_finite_as_null else _parse_constant)
    except json.JSONDecodeError as exc:
        raise JsonRefused(
            f"not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})"
        ) from None
    except RecursionError:
        raise JsonRefused(f"nested more than {max_depth} levels deep") from None
    except ValueError as exc:  # from parse_constant
        raise JsonRefused(str(exc)) from None
    if _depth(outside, max_depth) > max_depth:
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


def _outside_strings(text: str) -> bytes:
    """What valid JSON text holds outside its strings (numbers, literals, brackets), at C speed.

    Escaped backslashes and quotes are dropped first; every quote left then
    opens or closes a string, so after splitting on quotes the strings are
    every other piece. Splitting a megabyte at a time keeps the pieces (one
    bytes object per string) from costing more memory than the text itself.
    """
    unescaped = text.encode("utf-8").replace(b"\\\\", b"").replace(b'\\"', b"")
    kept: list[bytes] = []
    in_string = False
    for start in range(0, len(unescaped), _CHUNK):
        pieces = unescaped[start : start + _CHUNK].split(b'"')
        kept.append(b"".join(pieces[1 if in_string else 0 :: 2]))
        in_string ^= (len(pieces) - 1) % 2 == 1
    return b"".join(kept)


def _check_surrogates(text: str) -> None:
    """Refuse a \\u escape of half a surrogate pair: Python reads it as text no file can hold."""
    if "\\u" not in text:
        return
    escapes = text.replace("\\\\", "")
    if _LONE_HIGH.search(escapes) or _LONE_LOW.search(escapes):
        raise JsonRefused("a \\u escape names half a surrogate pair, which is not a character")


_LONE_HIGH = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})")
_LONE_LOW = re.compile(r"(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _check_numbers(outside: bytes) -> None:
    """Refuse numbers over MAX_NUMBER_CHARS characters and floats beyond a 64-bit float.

    Checked on the text, so json.loads keeps its C number parsing. Translating
    the text to a two-letter alphabet makes both checks a substring search:
    only a float with a three-digit exponent is converted, to see if it overflows.
    """
    runs = outside.translate(_NUMBER_RUNS)
    start = runs.find(b"1" * (MAX_NUMBER_CHARS + 1))
    if start >= 0:
        token = _token(outside, start)
        if token.lstrip("-").isdigit():
            raise JsonRefused(f"an integer of {len(token.lstrip('-')):,} digits is too large")
        raise JsonRefused(f"a number of {len(token):,} characters is too long")
    for match in _BIG_EXPONENT.finditer(outside.translate(_EXPONENTS)):
        token = _token(outside, match.start())
        if not math.isfinite(float(token)):
            raise JsonRefused(f"{token} is out of the range of a 64-bit float")


def _token(outside: bytes, index: int) -> str:
    """The whole number around index in outside."""
    begin, end = index, index
    while begin > 0 and outside[begin - 1] in _NUMBER_CHARS:
        begin -= 1
    while end < len(outside) and outside[end] in _NUMBER_CHARS:
        end += 1
    return outside[begin:end].decode("ascii")


_NUMBER_CHARS = frozenset(b"-+0123456789.eE")
_NUMBER_RUNS = bytes(0x31 if c in _NUMBER_CHARS else 0x20 for c in range(256))
_EXPONENTS = bytes(
    0x31 if chr(c).isdigit() and c < 128 else 0x65 if c in b"eE" else c if c == 0x2B else 0x20
    for c in range(256)
)
_BIG_EXPONENT = re.compile(rb"e\+?111")


def _null(text: str) -> None:
    return None


def _parse_constant(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def _depth(outside: bytes, limit: int) -> int:
    """How deep the containers nest, from the text outside strings, at C speed.

    Each pass removes every innermost pair of brackets, so the number of passes
    is the depth; passes stop once the limit is passed, so a hostile document
    costs at most that many.
    """
    brackets = outside.translate(None, _NOT_BRACKETS)
    depth = 0
    while brackets and depth <= limit:
        brackets = brackets.replace(b"[]", b"").replace(b"{}", b"")
        depth += 1
    return depth
