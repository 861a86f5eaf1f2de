"""Attribute-level diffs between two JSON values, with JSON-pointer paths and readable sentences."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from modelspec.compile.graph import canonical_json

__all__ = ["AttributeDiff", "diff_values", "display_path", "display_value", "leaves", "same", "sentence"]


@dataclass(frozen=True, slots=True)
class AttributeDiff:
    """One attribute that differs; path is a JSON pointer into the normalized document."""

    path: str
    before: Any
    after: Any


_MAX_VALUE_CHARS = 60


def _escape(segment: str | int) -> str:
    return str(segment).replace("~", "~0").replace("/", "~1")


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def same(a: Any, b: Any) -> bool:
    """Equal as JSON (1 and 1.0 differ, True and 1 differ): the way digests see values."""
    return canonical_json(a) == canonical_json(b)


def leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every scalar (and empty container) under value with its JSON pointer."""
    if isinstance(value, dict) and value:
        out: list[tuple[str, Any]] = []
        for key in sorted(value):
            out.extend(leaves(value[key], f"{path}/{_escape(key)}"))
        return out
    if isinstance(value, list) and value:
        out = []
        for index, item in enumerate(value):
            out.extend(leaves(item, f"{path}/{index}"))
        return out
    return [(path, value)]


def diff_values(before: Any, after: Any, path: str = "") -> list[AttributeDiff]:
    """The leaf attributes that differ between before and after.

    None on one side stands for "absent". Lists of mappings that all carry a
    unique "name" (columns, metrics) are matched by name, so inserting one
    column reports that column, not every column after it.
    """
    if same(before, after):
        return []
    if before is None:
        return [AttributeDiff(p, None, v) for p, v in leaves(after, path)]
    if after is None:
        return [AttributeDiff(p, v, None) for p, v in leaves(before, path)]
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[AttributeDiff] = []
        for key in sorted(set(before) | set(after)):
            out.extend(diff_values(before.get(key), after.get(key), f"{path}/{_escape(key)}"))
        return out
    if isinstance(before, list) and isinstance(after, list):
        if _named(before) and _named(after):
            return _diff_named(before, after, path)
        out = []
        for index in range(max(len(before), len(after))):
            old = before[index] if index < len(before) else None
            new = after[index] if index < len(after) else None
            out.extend(diff_values(old, new, f"{path}/{index}"))
        return out
    return [AttributeDiff(path, before, after)]


def _named(items: list[Any]) -> bool:
    names = [i.get("name") for i in items if isinstance(i, dict)]
    return (
        len(names) == len(items)
        and all(isinstance(n, str) for n in names)
        and len(set(names)) == len(names)
    )


def _diff_named(before: list[Any], after: list[Any], path: str) -> list[AttributeDiff]:
    old = {item["name"]: (index, item) for index, item in enumerate(before)}
    new = {item["name"]: (index, item) for index, item in enumerate(after)}
    out: list[AttributeDiff] = []
    for name, (index, item) in new.items():
        previous = old.get(name)
        out.extend(diff_values(previous[1] if previous else None, item, f"{path}/{index}"))
    for name, (index, item) in old.items():
        if name not in new:
            out.extend(diff_values(item, None, f"{path}/{index}"))
    if not out:  # same items, another order
        out.append(AttributeDiff(path, list(old), list(new)))
    return out


def display_path(pointer: str) -> str:
    """'/spec/columns/2/type' -> 'spec.columns[2].type'."""
    text = ""
    for raw in pointer.split("/")[1:]:
        segment = _unescape(raw)
        if segment.isdigit():
            text += f"[{segment}]"
        else:
            text += ("." if text else "") + segment
    return text or "(document)"


def display_value(value: Any) -> str:
    """A value as one short line: strings bare, the rest as compact JSON."""
    if value is None:
        return "(none)"
    text = (
        value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    )
    text = text.replace("\n", " ")
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return text


def sentence(diff: AttributeDiff) -> str:
    """One diff as a sentence: 'spec.training.params.max_depth changed: 8 -> 12'."""
    where = display_path(diff.path)
    if diff.before is None:
        return f"{where} added: {display_value(diff.after)}"
    if diff.after is None:
        return f"{where} removed (was {display_value(diff.before)})"
    return f"{where} changed: {display_value(diff.before)} -> {display_value(diff.after)}"
