"""Plan: the graph of specs against the applied state, as changes; and its renderers."""

from __future__ import annotations

import importlib

from modelspec.plan.model import AttributeDiff, Change, Drift, Plan, Summary
from modelspec.plan.planner import plan

__all__ = ["FORMATS", "AttributeDiff", "Change", "Drift", "Plan", "Summary", "plan", "render"]

FORMATS: tuple[str, ...] = ("text", "markdown", "json")


def render(fmt: str, value: Plan, *, color: bool = False) -> str:
    """The plan in the named format; an unknown name is a bug in the caller (ValueError)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown plan format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"modelspec.plan.render_{fmt}")
    text: str = module.render(value, color=color)
    return text
