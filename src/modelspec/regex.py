"""Regular expressions from specs, policies and contracts: compiled by RE2, matched in linear time.

Every pattern a user writes (a condition's `matches`, CEL's `matches()`, a
contract column's `pattern`) goes through `compile_pattern`, so none can
backtrack catastrophically: RE2 matches in time linear in the text, and
`MAX_MEM` bounds the memory of one compiled pattern, which also bounds the
time to compile it. RE2 is the syntax CEL specifies; it has no
backreferences or lookaround, and `problem` says so in words a diagnostic can
carry. In RE2 `$` (without `(?m)`) is the end of the text, never the place
before a final newline.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import re2

__all__ = ["MAX_MEM", "RegexRefused", "compile_pattern", "fullmatch", "problem", "search"]

# Bytes one pattern's program and match-time caches may use; RE2 refuses a larger program
# ("pattern too large"). Compiling costs time in proportion, up to about 50 ms for a short
# pattern that expands to the limit (`\pL{60}`: 60 copies of every Unicode letter). Typical
# patterns need a few KiB; `.{1000}` fits, `\pL{1,64}` does not (write `\pL+` and a length).
MAX_MEM = 1 << 20

_HINT = "fix the pattern or escape special characters with a backslash"
_NOT_IN_RE2 = "which RE2, the linear-time engine modelspec matches patterns with, lacks"


class RegexRefused(ValueError):
    """A pattern RE2 does not compile; str() says why, then ": " and how to fix it.

    The fix, after the last ": ", never holds ": " itself (RE2's reason, before it, may).
    """


def _options() -> Any:
    options = re2.Options()
    options.max_mem = MAX_MEM
    options.log_errors = False  # RE2 would print each error to stderr
    return options


@lru_cache(maxsize=128)
def _compiled(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        return RegexRefused(_explain(pattern, _reason(exc)))
    except UnicodeEncodeError:
        return RegexRefused(f"is not valid UTF-8 text (a lone surrogate): {_HINT}")


def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 pattern (cached); raises RegexRefused with a message for a diagnostic."""
    compiled = _compiled(pattern)
    if isinstance(compiled, RegexRefused):
        raise compiled
    return compiled


def problem(pattern: str) -> str | None:
    """What keeps RE2 from compiling the pattern ("uses a backreference ...: ..."), or None."""
    compiled = _compiled(pattern)
    return str(compiled) if isinstance(compiled, RegexRefused) else None


def search(pattern: str, text: str) -> bool:
    """Whether the pattern matches somewhere in text (unanchored, like Python's re.search)."""
    return compile_pattern(pattern).search(_encodable(text)) is not None


def fullmatch(pattern: str, text: str) -> bool:
    """Whether the pattern matches the whole of text (a final newline included)."""
    return compile_pattern(pattern).fullmatch(_encodable(text)) is not None


def _encodable(text: str) -> str:
    """text, with lone surrogates (which UTF-8 cannot hold) as '?': RE2 matches UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _reason(exc: Exception) -> str:
    arg = exc.args[0] if exc.args else str(exc)
    return arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)


_BACKREFERENCE = re.compile(r"\\[1-9][0-9]*|\\[gk](?:<[^>]*>|\{[^}]*\}|'[^']*'|[0-9]+)|\(\?P=[^)]*\)")
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")


def _explain(pattern: str, reason: str) -> str:
    """RE2's reason in words: what the pattern uses that RE2 lacks, and what to write instead."""
    escape = reason.removeprefix("invalid escape sequence: ")
    operator = reason.removeprefix("invalid perl operator: ")
    if (reason != escape and re.fullmatch(r"\\[1-9gk]", escape[:2])) or (
        operator == "(?P" and _BACKREFERENCE.search(pattern)
    ):
        found = _BACKREFERENCE.search(pattern)
        shown = found.group(0) if found else escape
        return (
            f"uses a backreference ({shown}), {_NOT_IN_RE2}: "
            "repeat the group's pattern instead of referring back to it"
        )
    if operator in _LOOKAROUND:
        return (
            f"uses lookahead or lookbehind ({operator}...), {_NOT_IN_RE2}: "
            "match the text itself, or combine two conditions with `all` and `not`"
        )
    possessive = reason.startswith("bad repetition operator: ") and reason.endswith("+")
    if operator == "(?>" or possessive:
        shown = operator if operator == "(?>" else reason.removeprefix("bad repetition operator: ")
        return (
            f"uses an atomic group or possessive quantifier ({shown}), {_NOT_IN_RE2}: "
            "drop it; RE2 never backtracks, so it is not needed"
        )
    if escape == "\\Z":
        return rf"uses \Z, {_NOT_IN_RE2}: write \z or $ for the end of the text"
    if reason.startswith("invalid repetition size: "):
        size = reason.removeprefix("invalid repetition size: ")
        return (
            f"repeats more than RE2 allows ({size}; counts up to 1000, nested counts multiplied): "
            "lower the count, or check the length with min_length/max_length"
        )
    if reason.startswith("pattern too large"):
        return (
            f"compiles to more than RE2's limit of {MAX_MEM >> 20} MiB: "
            "shorten it or lower its repetition counts"
        )
    return f"is not a valid regular expression ({reason}): {_HINT}"
