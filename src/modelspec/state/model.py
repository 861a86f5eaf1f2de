"""The state in memory: what apply last did, resource by resource, and the errors about it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from modelspec.errors import ModelspecError

__all__ = ["CURRENT_FORMAT_VERSION", "ResourceState", "State", "StateError"]

CURRENT_FORMAT_VERSION = 1


class StateError(ModelspecError):
    """A problem with stored state that the user can act on: corrupt, unreadable, locked.

    A ModelspecError, so one that reaches the CLI is its message and exit 1, never a traceback.
    """


@dataclass(frozen=True)
class ResourceState:
    """One applied resource: its normalized document, what apply produced and wrote."""

    address: str
    kind: str
    name: str
    digest: str
    spec: dict[str, Any]  # the normalized document: apiVersion, kind, metadata, spec
    outputs: dict[str, Any]
    artifacts: dict[str, str]  # path relative to generated/ -> "sha256:<hex>"
    depends_on: tuple[str, ...] = ()
    # digest of everything the artifacts were rendered from (spec, references,
    # project settings, outputs, modelspec version): equal keys mean equal files
    render_key: str = ""


@dataclass(frozen=True)
class State:
    """All applied resources, keyed and ordered by address.

    lineage names one history of states; serial counts the writes in it, so a
    saved plan can tell that the state moved on since it was made.
    """

    lineage: str
    serial: int
    resources: Mapping[str, ResourceState] = field(default_factory=dict)
    format_version: int = CURRENT_FORMAT_VERSION

    def __post_init__(self) -> None:
        for address, rs in self.resources.items():
            if address != rs.address:
                raise ValueError(f"resource stored under {address!r} has address {rs.address!r}")
        ordered = {address: self.resources[address] for address in sorted(self.resources)}
        object.__setattr__(self, "resources", ordered)

    @classmethod
    def empty(cls, lineage: str | None = None) -> State:
        """A state with no resources: serial 0 and a new lineage unless one is given."""
        return cls(lineage=lineage or str(uuid.uuid4()), serial=0, resources={})

    def with_resource(self, rs: ResourceState) -> State:
        """This state with rs added, or replacing the resource at its address."""
        return replace(self, resources={**self.resources, rs.address: rs})

    def without(self, address: str) -> State:
        """This state without the resource at address (unchanged if it is absent)."""
        return replace(self, resources={a: rs for a, rs in self.resources.items() if a != address})

    def bump(self) -> State:
        """This state with the next serial."""
        return replace(self, serial=self.serial + 1)

    @property
    def addresses(self) -> list[str]:
        return list(self.resources)
