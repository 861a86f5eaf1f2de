"""The one table of reference roles: which field of which kind refers to which kind, and as what."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from modelspec.loading.documents import JsonPath

__all__ = ["INHERITED", "REFERENCES", "Reference", "Role", "references_of"]


class Role(StrEnum):
    """What a referenced resource is to the one that refers to it (policies see these as `refs`)."""

    CONTRACT = "contract"
    MODEL = "model"
    TARGET = "target"
    PROMOTION_FROM = "promotion_from"
    POLICY = "policy"
    SUBJECT = "subject"
    RESOURCES = "resources"


@dataclass(frozen=True, slots=True)
class Reference:
    """One referencing field of a kind.

    field is the path under `spec`; kind is the referenced kind, or None when the
    field holds whole addresses (an Approval's subject, a Waiver's resources);
    many marks a list field, which is a dependency but no role in `refs`.
    """

    role: Role
    field: tuple[str, ...]
    kind: str | None
    many: bool = False

    @property
    def path(self) -> JsonPath:
        return ("spec", *self.field)


REFERENCES: Mapping[str, tuple[Reference, ...]] = {
    "Model": (Reference(Role.CONTRACT, ("data", "contract"), "DataContract"),),
    "Deployment": (
        Reference(Role.MODEL, ("model",), "Model"),
        Reference(Role.TARGET, ("target",), "Target"),
    ),
    "Target": (Reference(Role.PROMOTION_FROM, ("promotion_from",), "Target"),),
    "Waiver": (
        Reference(Role.POLICY, ("policy",), "Policy"),
        Reference(Role.RESOURCES, ("resources",), None, many=True),
    ),
    "Approval": (Reference(Role.SUBJECT, ("subject",), None),),
}

# Roles a kind takes over from what it references: a Deployment sees its model's contract.
INHERITED: Mapping[str, tuple[tuple[Role, Role], ...]] = {
    "Deployment": ((Role.MODEL, Role.CONTRACT),),  # (through, role)
}


def references_of(kind: str, spec: Mapping[str, Any]) -> Iterator[tuple[Reference, Any]]:
    """(reference, the field's value) for each referencing field of a spec; None when unset."""
    for ref in REFERENCES.get(kind, ()):
        value: Any = spec
        for key in ref.field:
            value = value.get(key) if isinstance(value, Mapping) else None
        yield ref, value
