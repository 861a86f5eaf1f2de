"""The resource graph: compiled specs with addresses, dependencies and digests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from modelspec.compile.address import Address
from modelspec.compile.roles import INHERITED, references_of
from modelspec.loading.documents import Document

__all__ = ["Address", "Graph", "Resource", "address_of", "canonical_json", "digest_of"]


def canonical_json(value: Any) -> str:
    """The one serialisation used for digests: sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Resource:
    """One compiled spec.

    `normalized` is the document with defaults applied, as plain JSON data
    ({"apiVersion", "kind", "metadata", "spec"}); it is what state stores and
    what digests and diffs are computed from.
    """

    kind: str  # "Model"
    name: str  # "churn-classifier"
    normalized: dict[str, Any]
    digest: str  # "sha256:<hex>" of canonical_json(normalized)
    depends_on: tuple[str, ...]  # addresses, sorted
    document: Document | None = None  # where it came from (None when built in code)
    model: Any = None  # the validated pydantic model of the document

    @property
    def address(self) -> str:
        return address_of(self.kind, self.name)

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.normalized.get("spec", {})
        return spec

    @property
    def metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = self.normalized.get("metadata", {})
        return metadata


def address_of(kind: str, name: str) -> str:
    """The text form of Address(kind, name), without building one (it is on every hot path)."""
    return f"{kind.lower()}.{name}"


@dataclass(frozen=True)
class Graph:
    """All resources by address, in a deterministic order (dependencies first)."""

    resources: Mapping[str, Resource] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources.values())

    def __len__(self) -> int:
        return len(self.resources)

    def __contains__(self, address: object) -> bool:
        return (str(address) if isinstance(address, Address) else address) in self.resources

    def get(self, address: str | Address) -> Resource | None:
        return self.resources.get(address if isinstance(address, str) else str(address))

    def of_kind(self, kind: str) -> list[Resource]:
        return list(self._by_kind.get(kind, ()))

    @cached_property
    def _by_kind(self) -> dict[str, tuple[Resource, ...]]:
        """Resources by kind, in graph order: built once (renderers ask per resource)."""
        out: dict[str, list[Resource]] = {}
        for resource in self.resources.values():
            out.setdefault(resource.kind, []).append(resource)
        return {kind: tuple(items) for kind, items in out.items()}

    def deployments_of(self, model: str) -> tuple[Resource, ...]:
        """The Deployments whose spec.model names the model, in graph order."""
        return self._deployments_by_model.get(model, ())

    @cached_property
    def _deployments_by_model(self) -> dict[str, tuple[Resource, ...]]:
        out: dict[str, list[Resource]] = {}
        for deployment in self._by_kind.get("Deployment", ()):
            model = deployment.spec.get("model")
            if isinstance(model, str):
                out.setdefault(model, []).append(deployment)
        return {name: tuple(items) for name, items in out.items()}

    def refs(self, resource: Resource) -> dict[str, Resource]:
        """The resources a resource references, by role (what policies see as `refs`).

        The roles are compile/roles.REFERENCES (list fields aside) plus INHERITED:
        a Model: contract. A Deployment: model, target, and the model's contract.
        A Target: promotion_from. A Waiver: policy. An Approval: subject.
        Roles whose resource is not in the graph are left out.
        """
        out: dict[str, Resource] = {}
        for ref, value in references_of(resource.kind, resource.spec):
            if ref.many or not value:
                continue
            address = value if ref.kind is None else address_of(ref.kind, value)
            dep = self.resources.get(address)
            if dep is not None:
                out[ref.role.value] = dep
        for through, role in INHERITED.get(resource.kind, ()):
            via = out.get(through)
            if via is not None and (inherited := self.refs(via).get(role)) is not None:
                out[role.value] = inherited
        return out
