"""The semantic diff of two compiled graphs: resources added, removed and changed, breaking ones flagged.

DataContract changes are classified by contracts.compat; a breaking change
whose contract keeps its MAJOR version is an error diagnostic at the new
file's spec.version, naming the change and the models that read the column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import ModelView
from modelspec.contracts.compat import ContractChange, classify, major_of
from modelspec.diagnostics import Diagnostic, Severity
from modelspec.valuediff import diff_values

__all__ = ["DiffReport", "PathChange", "ResourceChange", "diff_graphs", "readers_of"]

_CLASSIFIED = ("/spec/columns", "/spec/strict", "/spec/quality/row_count")


@dataclass(frozen=True, slots=True)
class PathChange:
    """One attribute that differs; path is a JSON pointer into the normalized document."""

    path: str
    before: Any
    after: Any
    breaking: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ResourceChange:
    address: str
    kind: str
    change: str  # "added" | "removed" | "changed"
    diffs: tuple[PathChange, ...] = ()

    @property
    def breaking(self) -> bool:
        return any(d.breaking for d in self.diffs)


@dataclass(frozen=True)
class DiffReport:
    base: str
    changes: list[ResourceChange] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)

    @property
    def breaking_count(self) -> int:
        return sum(1 for c in self.changes if c.breaking)


def diff_graphs(base: str, before: Graph, after: Graph) -> DiffReport:
    """Every resource that differs between the graphs, by address; errors for unbumped breaks."""
    changes: list[ResourceChange] = []
    errors: list[Diagnostic] = []
    for address in sorted(set(before.resources) | set(after.resources)):
        old, new = before.get(address), after.get(address)
        if old is None and new is not None:
            changes.append(ResourceChange(address, new.kind, "added"))
        elif new is None and old is not None:
            removed = (PathChange("", old.normalized, None, old.kind == "DataContract",
                                  "data contract removed" if old.kind == "DataContract" else ""),)
            changes.append(ResourceChange(address, old.kind, "removed", removed))
        elif old is not None and new is not None and old.digest != new.digest:
            change = _changed(old, new)
            changes.append(change)
            error = _unbumped(change, old, new, before, after)
            if error is not None:
                errors.append(error)
    return DiffReport(base, changes, errors)


def _changed(old: Resource, new: Resource) -> ResourceChange:
    diffs: list[PathChange] = []
    contract = old.kind == "DataContract" == new.kind
    if contract:
        diffs.extend(_from_compat(c) for c in classify(old.normalized, new.normalized))
    for d in diff_values(old.normalized, new.normalized):
        if contract and d.path.startswith(_CLASSIFIED):
            continue
        diffs.append(PathChange(d.path, d.before, d.after))
    diffs.sort(key=lambda d: d.path)
    return ResourceChange(new.address, new.kind, "changed", tuple(diffs))


def _from_compat(change: ContractChange) -> PathChange:
    return PathChange(change.path, change.before, change.after, change.breaking, change.reason)


def _unbumped(
    change: ResourceChange, old: Resource, new: Resource, before: Graph, after: Graph
) -> Diagnostic | None:
    if new.kind != "DataContract" or not change.breaking:
        return None
    old_major, new_major = major_of(old.spec.get("version")), major_of(new.spec.get("version"))
    if old_major is not None and new_major is not None and new_major > old_major:
        return None
    reasons = [d.reason for d in change.diffs if d.breaking]
    columns = {c.column for c in classify(old.normalized, new.normalized) if c.breaking}
    readers = readers_of(new.name, columns, before, after)
    message = (
        f"breaking change to data contract {new.name} without a new major version "
        f"({old.spec.get('version')} -> {new.spec.get('version')}): {'; '.join(reasons)}"
    )
    message += f"; read by {', '.join(readers)}" if readers else "; no model reads the changed columns"
    bump = f"{(old_major or 0) + 1}.0.0"
    hint = f"set spec.version to {bump}, or make the change compatible (widen instead of narrow)"
    if new.document is None:
        return Diagnostic(Severity.ERROR, "MS502", message, hint=hint)
    return new.document.diagnostic("MS502", message, ("spec", "version"), hint=hint)


def readers_of(contract: str, columns: set[str | None], *graphs: Graph) -> list[str]:
    """Models (in any of the graphs) that read the given columns of a contract, with their role.

    A change that belongs to no single column (None in columns, e.g. `strict`)
    concerns every model that reads the contract.
    """
    found: dict[str, set[str]] = {}
    for graph in graphs:
        for model in map(ModelView, graph.of_kind("Model")):
            if model.contract_name != contract:
                continue
            roles = found.setdefault(model.address, set())
            for column in columns:
                if column is None:
                    roles.add("contract")
                elif column == model.target_column:
                    roles.add(f"target {column}")
                elif column in model.features:
                    roles.add(f"feature {column}")
    return [f"{address} ({', '.join(sorted(roles))})" for address, roles in sorted(found.items()) if roles]
