"""The resource graph: compiled specs with addresses, dependencies and digests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from modelspec.loading.documents import Document

__all__ = ["Graph", "Resource", "canonical_json", "digest_of"]


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
        return address in self.resources

    def get(self, address: str) -> Resource | None:
        return self.resources.get(address)

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.kind == kind]

    def refs(self, resource: Resource) -> dict[str, Resource]:
        """The resources a resource references, by role (what policies see as `refs`).

        A Model: contract. A Deployment: model, target, and the model's contract.
        A Target: promotion_from. A Waiver: policy. An Approval: subject.
        Roles whose resource is not in the graph are left out.
        """
        spec = resource.spec
        names: dict[str, tuple[str, Any]] = {}  # role -> (kind, name)
        if resource.kind == "Model":
            names["contract"] = ("DataContract", (spec.get("data") or {}).get("contract"))
        elif resource.kind == "Deployment":
            names["model"] = ("Model", spec.get("model"))
            names["target"] = ("Target", spec.get("target"))
        elif resource.kind == "Target":
            names["promotion_from"] = ("Target", spec.get("promotion_from"))
        elif resource.kind == "Waiver":
            names["policy"] = ("Policy", spec.get("policy"))
        wanted = {role: address_of(kind, name) for role, (kind, name) in names.items() if name}
        if resource.kind == "Approval" and spec.get("subject"):
            wanted["subject"] = spec["subject"]
        out = {role: dep for role, address in wanted.items() if (dep := self.resources.get(address))}
        model = out.get("model")
        if model is not None:
            contract = self.refs(model).get("contract")
            if contract is not None:
                out["contract"] = contract
        return out
