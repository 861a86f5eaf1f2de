"""A small YAML writer for the benchmark's generated specs: key order, comments and flow style kept.

Generated files should look hand-written (block mappings, short flow mappings,
folded descriptions, comment lines), which PyYAML's dumper cannot do. Every
scalar is written so that a YAML 1.1 loader (PyYAML) and a YAML 1.2 loader
read the same value.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

__all__ = ["Flow", "FlowSeq", "Folded", "dump"]


class Flow(dict[str, Any]):
    """A mapping written inline: `{min: 2, max: 10}`."""


class FlowSeq(list[Any]):
    """A sequence written inline: `[basic, plus, pro]`."""


class Folded(str):
    """A long string written as a folded block scalar (`>-`)."""

    __slots__ = ()


_PLAIN = re.compile(r"^[A-Za-z_/$][A-Za-z0-9_ ./@+()',;:$-]*$")
_SEMVER_LIKE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$")
# words some YAML version reads as a boolean, null or number when left plain
_SPECIAL_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", "inf"})
_FLOW_UNSAFE = set(",[]{}#:")


def scalar(value: Any, *, in_flow: bool = False) -> str:
    """One scalar as YAML text, plain where that is unambiguous, double-quoted otherwise."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "inf" in text or "nan" in text:
            raise ValueError(f"float {value!r} has no portable plain form")
        return text
    if isinstance(value, str):
        return value if _plain_ok(value, in_flow) else json.dumps(value)
    raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")


def _plain_ok(text: str, in_flow: bool) -> bool:
    if _SEMVER_LIKE.match(text):
        return True
    if not _PLAIN.match(text) or text.endswith(" ") or text.lower() in _SPECIAL_WORDS:
        return False
    if in_flow and _FLOW_UNSAFE & set(text):
        return False
    return ": " not in text and " #" not in text and not text.endswith(":")


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return scalar(value, in_flow=True)


def _block_inline(value: Any) -> str:
    """An inline value in block context: a flow collection, or a scalar (commas allowed)."""
    return _inline(value) if isinstance(value, dict | list) else scalar(value)


def _is_inline(value: Any) -> bool:
    return (
        isinstance(value, Flow | FlowSeq)
        or not isinstance(value, dict | list)
        or len(value) == 0
    ) and not isinstance(value, Folded)


def _folded(text: str, indent: int, width: int) -> list[str]:
    pad = " " * indent
    return [pad + line for line in textwrap.wrap(text, max(width - indent, 40))]


def dump(document: dict[str, Any], comments: dict[str, str] | None = None, width: int = 88) -> str:
    """A document as block YAML; comments maps a dotted key path to a comment line above it."""
    out: list[str] = []
    _mapping(document, 0, "", out, comments or {}, width)
    return "\n".join(out) + "\n"


def _mapping(
    value: dict[str, Any], indent: int, path: str, out: list[str], comments: dict[str, str], width: int
) -> None:
    pad = " " * indent
    for key, item in value.items():
        here = f"{path}.{key}" if path else key
        if here in comments:
            out.append(f"{pad}# {comments[here]}")
        if isinstance(item, Folded):
            out.append(f"{pad}{key}: >-")
            out.extend(_folded(item, indent + 2, width))
        elif _is_inline(item):
            out.append(f"{pad}{key}: {_block_inline(item)}")
        elif isinstance(item, dict):
            out.append(f"{pad}{key}:")
            _mapping(item, indent + 2, here, out, comments, width)
        else:
            out.append(f"{pad}{key}:")
            _sequence(item, indent + 2, here, out, comments, width)


def _sequence(
    value: list[Any], indent: int, path: str, out: list[str], comments: dict[str, str], width: int
) -> None:
    pad = " " * indent
    for index, item in enumerate(value):
        if isinstance(item, dict) and not _is_inline(item):
            lines: list[str] = []
            _mapping(item, indent + 2, f"{path}.{index}", lines, comments, width)
            first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
            lines[first] = pad + "- " + lines[first][indent + 2 :]
            out.extend(lines)
        elif isinstance(item, Folded):
            out.append(f"{pad}- >-")
            out.extend(_folded(item, indent + 2, width))
        else:
            out.append(f"{pad}- {_block_inline(item)}")
