"""The plan as data: attribute diffs, one change per resource, drift, and the plan itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from modelspec.valuediff import AttributeDiff  # re-exported: a plan change carries them

__all__ = [
    "ACTIONS",
    "FORMAT_VERSION",
    "ArtifactWrite",
    "AttributeDiff",
    "Change",
    "Drift",
    "Plan",
    "Summary",
    "action_name",
]

FORMAT_VERSION = "1"

CREATE: tuple[str, ...] = ("create",)
UPDATE: tuple[str, ...] = ("update",)
REPLACE: tuple[str, ...] = ("delete", "create")
DELETE: tuple[str, ...] = ("delete",)
NO_OP: tuple[str, ...] = ("no-op",)
ACTIONS: tuple[tuple[str, ...], ...] = (CREATE, UPDATE, REPLACE, DELETE, NO_OP)


def action_name(actions: tuple[str, ...]) -> str:
    """The one word for an actions tuple: create, update, replace, delete or no-op."""
    if actions == REPLACE:
        return "replace"
    return actions[0] if actions else "no-op"


@dataclass(frozen=True, slots=True)
class ArtifactWrite:
    """A generated file a change writes: path relative to generated/, and its new digest."""

    path: str
    digest: str


@dataclass(frozen=True, slots=True)
class Change:
    """What the plan does to one resource, and why."""

    address: str
    kind: str
    name: str
    actions: tuple[str, ...]
    reason: str = ""
    diffs: tuple[AttributeDiff, ...] = ()
    breaking: bool = False
    writes: tuple[ArtifactWrite, ...] = ()
    deletes: tuple[str, ...] = ()  # generated paths the change removes

    @property
    def action(self) -> str:
        return action_name(self.actions)

    @property
    def is_no_op(self) -> bool:
        return self.actions == NO_OP


@dataclass(frozen=True, slots=True)
class Drift:
    """A generated file that no longer matches what apply wrote ("missing" when removed)."""

    address: str
    path: str
    expected: str
    actual: str

    @property
    def missing(self) -> bool:
        return self.actual == "missing"


@dataclass(frozen=True, slots=True)
class Summary:
    create: int = 0
    update: int = 0
    replace: int = 0
    delete: int = 0
    no_op: int = 0

    @classmethod
    def of(cls, changes: tuple[Change, ...]) -> Summary:
        counts = {"create": 0, "update": 0, "replace": 0, "delete": 0, "no-op": 0}
        for change in changes:
            counts[change.action] += 1
        return cls(
            create=counts["create"],
            update=counts["update"],
            replace=counts["replace"],
            delete=counts["delete"],
            no_op=counts["no-op"],
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "create": self.create,
            "update": self.update,
            "replace": self.replace,
            "delete": self.delete,
            "no_op": self.no_op,
        }


def _no_policy() -> dict[str, Any]:
    return {"results": [], "blocking": False}


@dataclass(frozen=True)
class Plan:
    """Desired specs against the applied state.

    `changes` holds every resource, no-ops included: deletes first in reverse
    dependency order, then the graph's resources in dependency order.
    `resources` maps every address of the graph to the digest the plan was
    made from, so a saved plan can tell when the specs moved on.
    """

    lineage: str
    serial: int
    changes: tuple[Change, ...] = ()
    drift: tuple[Drift, ...] = ()
    resources: Mapping[str, str] = field(default_factory=dict)
    policy: Mapping[str, Any] = field(default_factory=_no_policy)
    format_version: str = FORMAT_VERSION

    @property
    def summary(self) -> Summary:
        return Summary.of(self.changes)

    @property
    def actionable(self) -> tuple[Change, ...]:
        """The changes that do something (no-ops left out)."""
        return tuple(c for c in self.changes if not c.is_no_op)

    @property
    def has_changes(self) -> bool:
        return bool(self.actionable)

    def change(self, address: str) -> Change | None:
        return next((c for c in self.changes if c.address == address), None)
