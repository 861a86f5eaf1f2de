"""The show operation: a saved plan file -> the plan, or the diagnostics saying why it is unreadable."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from modelspec.diagnostics import Diagnostic
from modelspec.errors import UserError
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
    from modelspec.plan.saved import loads_plan

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the plan file {path}: {exc}") from None
    saved, diags = loads_plan(text, path)
    return SavedPlan(path, saved, diags)


def show(planfile: str) -> SavedPlan:
    """`modelspec show PLANFILE`: the saved plan, for a view to render."""
    return read_saved_plan(planfile)
