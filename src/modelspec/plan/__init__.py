"""Plan: the graph of specs against the applied state, as changes; and its renderers."""

from __future__ import annotations

from modelspec.formats import Formats
from modelspec.plan.model import AttributeDiff, Change, Drift, Plan, Summary
from modelspec.plan.planner import plan

__all__ = [
    "FORMATS",
    "AttributeDiff",
    "Change",
    "Drift",
    "Plan",
    "Summary",
    "plan",
    "render",
]

# Each renderer is `render(plan, *, color) -> str`, imported on first use.
FORMATS = Formats(
    "plan",
    {
        "text": "modelspec.plan.render_text:render",
        "markdown": "modelspec.plan.render_markdown:render",
        "json": "modelspec.plan.render_json:render",
    },
)


def render(fmt: str, value: Plan, *, color: bool = False) -> str:
    """The plan in the named format; an unknown name is an UnknownFormat error."""
    return FORMATS.render(fmt, value, color=color)
