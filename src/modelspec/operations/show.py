"""The show operation: a saved plan file -> the plan, or the diagnostics saying why it is unreadable."""

from __future__ import annotations

from dataclasses import dataclass, field

from modelspec.diagnostics import Diagnostic
from modelspec.plan.model import Plan

__all__ = ["SavedPlan", "read_saved_plan", "show"]


@dataclass(frozen=True)
class SavedPlan:
    """A saved plan as read back: plan is None when the file is not a readable plan."""

    path: str
    plan: Plan | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_saved_plan(path: str) -> SavedPlan:
    """The plan saved in path; a file that cannot be read at all is a UserError."""
    from modelspec.plan.saved import read_plan_file

    saved, diags = read_plan_file(path)
    return SavedPlan(path, saved, diags)


def show(planfile: str) -> SavedPlan:
    """`modelspec show PLANFILE`: the saved plan, for a view to render."""
    return read_saved_plan(planfile)
