"""Spec text made safe to print: no control characters for a terminal, no workflow commands for a CI log.

Specs come from pull requests, so any string in them may be hostile. Two
things must never reach a terminal or a CI log from one:

- control characters: an ESC sequence recolours, moves or clears the
  terminal, a CR overwrites what was printed, and a line break starts a line
  the value controls. `visible` and `one_line` show them as escapes (`\\x1b`,
  `\\n`) instead.
- workflow commands: the GitHub Actions runner acts on a line that starts
  (after leading white space) with `::`, and, like Azure Pipelines (`##vso[`)
  and TeamCity (`##teamcity[`), on a `##[` or `##word[` anywhere in a line.
  `inert_lines` breaks both in a finished output, whatever put them there;
  `inert_json` does the same inside JSON strings without changing the values
  they parse to.

Escapes are visible on purpose: a reader sees that a character was held
back, and `\\x3a:error` still reads as the text it came from.
"""

from __future__ import annotations

import re

__all__ = ["HASH_COMMAND", "inert_json", "inert_lines", "one_line", "visible"]

# Unicode line and paragraph separators end a line for some log viewers and
# editors; bidirectional overrides reorder what a terminal shows (Trojan Source).
_INVISIBLE = frozenset({0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# `::` after nothing but white space at the start of a line (a CR starts one too, for the runner).
_COMMAND_START = re.compile(r"(^|[\r\n])([^\S\r\n]*):(?=:)")
# The second `#` of `##[`, `##vso[`, `##teamcity[`, ...: replacing it breaks the command.
HASH_COMMAND = re.compile(r"#(?<=##)(?=[A-Za-z]*\[)")
# What a JSON text may carry raw inside a string but a terminal should not get.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0:
        return f"\\x{code:02x}"
    if 0xD800 <= code < 0xE000 or code in (0xFFFE, 0xFFFF) or code in _INVISIBLE:
        return f"\\u{code:04x}"
    return ch


def visible(text: str, keep: str = "\t\n") -> str:
    """text with control characters (other than those in keep) shown as \\xNN or \\uNNNN escapes.

    Escaped: C0 and C1 controls, DEL, lone surrogates, U+FFFE/U+FFFF (XML 1.0
    cannot carry them either), line and paragraph separators and bidirectional
    controls. Everything else, zero-width characters and emoji included, stays.
    """
    if text.isprintable():  # the common case; every escaped character is non-printable
        return text
    return "".join(ch if ch in keep else _escape(ch) for ch in text)


def one_line(value: object) -> str:
    """value as text for one line of a terminal or CI log: it cannot end the line or start a command.

    Line breaks and tabs show as \\n, \\r and \\t, other control characters as
    \\xNN; a leading `::` and any `##[` are broken as `inert_lines` does.
    """
    text = str(value)
    if not text.isprintable():
        text = "".join(_NAMED.get(ch) or _escape(ch) for ch in text)
    return inert_lines(text)


def inert_lines(text: str) -> str:
    """Output text in which no line is a workflow command for GitHub Actions, Azure or TeamCity.

    A `::` that starts a line (after white space) becomes `\\x3a:`; the second
    `#` of `##[` or `##word[` anywhere becomes `\\x23`. Text without either
    is returned unchanged, so good output keeps every byte.
    """
    if "::" not in text and "##" not in text:
        return text
    text = _COMMAND_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\x3a", text)
    return HASH_COMMAND.sub("\\\\x23", text)


def inert_json(text: str) -> str:
    """JSON text (as json.dumps wrote it) that parses to the same value but is safe to print.

    `#` and the characters escaped here only occur inside JSON strings, where
    `\\u0023` and `\\uNNNN` mean the same characters: `##[` is broken for CI
    runners, and DEL, C1 controls, line separators and bidirectional controls
    (which json.dumps with ensure_ascii=False leaves raw) reach no terminal.
    """
    text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if "##" in text:
        text = HASH_COMMAND.sub("\\\\u0023", text)
    return text
