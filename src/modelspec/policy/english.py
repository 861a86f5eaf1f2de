"""Conditions as plain-English sentences, for compliance readers and finding messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["describe"]

_PHRASES: dict[str, str] = {
    "equals": "is {value}",
    "not_equals": "is not {value}",
    "in": "is one of {value}",
    "not_in": "is none of {value}",
    "gt": "is greater than {value}",
    "gte": "is at least {value}",
    "lt": "is less than {value}",
    "lte": "is at most {value}",
    "matches": "matches the pattern `{raw}`",
    "contains": "contains {value}",
}


def describe(condition: Mapping[str, Any]) -> str:
    """One sentence for a condition: "spec.risk.tier is one of high, limited"."""
    if "field" in condition:
        return _describe_test(condition)
    if "all" in condition:
        return "all of: " + "; ".join(_nested(sub) for sub in condition["all"])
    if "any" in condition:
        return "any of: " + "; ".join(_nested(sub) for sub in condition["any"])
    if "not" in condition:
        return f"not ({describe(condition['not'])})"
    if "expr" in condition:
        expression = " ".join(str(condition["expr"]).split())
        return f"the CEL expression `{expression}` holds"
    return "an empty condition"


def _nested(condition: Mapping[str, Any]) -> str:
    """A list inside a list reads ambiguously without brackets."""
    text = describe(condition)
    return f"({text})" if "all" in condition or "any" in condition else text


def _describe_test(condition: Mapping[str, Any]) -> str:
    field = condition["field"]
    if "exists" in condition:
        return f"{field} is set" if condition["exists"] else f"{field} is not set"
    for op, phrase in _PHRASES.items():
        if op in condition:
            raw = condition[op]
            return f"{field} " + phrase.format(value=_value(raw), raw=raw)
    return f"{field} (no test)"


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # Plain words read best bare; anything that could blur into the sentence is quoted.
        plain = value != "" and all(c.isalnum() or c in "-_./:+@" for c in value)
        return value if plain else json.dumps(value, ensure_ascii=False)
    return str(value)
