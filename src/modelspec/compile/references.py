"""Cross-document checks: references resolve, columns exist, estimators are allowed."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Set
from typing import Any

from modelspec.compile.address import Address
from modelspec.compile.graph import address_of
from modelspec.compile.roles import Role, references_of
from modelspec.diagnostics import Diagnostic
from modelspec.loading.documents import Document, JsonPath

__all__ = ["Candidate", "check_references", "dependencies"]


class Candidate:
    """A validated document on its way into the graph."""

    __slots__ = ("address", "doc", "kind", "model", "name", "normalized")

    def __init__(self, kind: str, name: str, doc: Document, model: Any, normalized: dict[str, Any]):
        self.kind = kind
        self.name = name
        self.doc = doc
        self.model = model
        self.normalized = normalized
        self.address = address_of(kind, name)

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.normalized["spec"]
        return spec


Index = Mapping[str, Candidate]  # address -> candidate


def dependencies(c: Candidate) -> list[tuple[JsonPath, str]]:
    """(path of the referencing field, referenced address) for each reference a document makes."""
    refs: list[tuple[JsonPath, str]] = []
    for ref, value in references_of(c.kind, c.spec):
        if not value:
            continue
        if ref.many:
            refs.extend(((*ref.path, i), addr) for i, addr in enumerate(value))
        else:
            refs.append((ref.path, value if ref.kind is None else address_of(ref.kind, value)))
    return refs


def check_references(index: Index, invalid: Set[str] = frozenset()) -> list[Diagnostic]:
    """Diagnostics for broken references. A reference to a document that failed its own
    checks (an address in invalid) is not reported again: that document's errors say it."""
    diags: list[Diagnostic] = []
    for c in index.values():
        for path, address in dependencies(c):
            if address not in index and address not in invalid:
                diags.append(_unresolved(c, path, address, index))
        check = _CHECKS.get(c.kind)
        if check is not None:
            diags.extend(check(c, index))
    diags.extend(_promotion_cycles(index))
    return diags


def _unresolved(c: Candidate, path: JsonPath, address: str, index: Index) -> Diagnostic:
    wanted = Address.parse(address)
    kind_prefix = wanted.prefix
    same_kind = [a for a in index if a.startswith(kind_prefix + ".")]
    close = difflib.get_close_matches(
        wanted.name, [Address.parse(a).name for a in same_kind], n=1, cutoff=0.6
    )
    by_address = path[-1] == Role.SUBJECT or Role.RESOURCES in path  # these fields hold addresses
    if close:
        suggestion = f"{kind_prefix}.{close[0]}" if by_address else close[0]
        hint = f"did you mean {suggestion!r}?"
    elif same_kind:
        hint = "known: " + ", ".join(sorted(same_kind)[:8])
    else:
        hint = f"no {kind_prefix} is defined; add one or fix the name"
    return c.doc.diagnostic("MS301", f"{c.address} refers to {address}, which does not exist", path, hint=hint)


def _check_model(c: Candidate, index: Index) -> list[Diagnostic]:
    from modelspec.spec.estimators import ALLOWED

    diags: list[Diagnostic] = []
    spec = c.spec
    estimator = spec["training"]["estimator"]["class"]
    path: JsonPath = ("spec", "training", "estimator", "class")
    allowed = ALLOWED.get(estimator)
    if allowed is None:
        close = difflib.get_close_matches(estimator, list(ALLOWED), n=1, cutoff=0.7)
        hint = f"did you mean {close[0]!r}?" if close else "see the estimator allow-list in docs/spec-reference.md"
        diags.append(
            c.doc.diagnostic(
                "MS303", f"estimator {estimator!r} is not on the allow-list (it is never imported)",
                path, hint=hint,
            )
        )
    elif allowed.task != spec["task"]:
        diags.append(
            c.doc.diagnostic(
                "MS306", f"estimator {estimator!r} is a {allowed.task} estimator but the model's task is {spec['task']}",
                path, hint=f"pick a {spec['task']} estimator or change spec.task",
            )
        )
    contract = index.get(address_of("DataContract", spec["data"]["contract"]))
    if contract is not None:
        columns = [col["name"] for col in contract.spec.get("columns", [])]
        data = spec["data"]
        wanted: list[tuple[JsonPath, str]] = [(("spec", "data", "target"), data["target"])]
        wanted += [(("spec", "data", "features", i), f) for i, f in enumerate(data.get("features", []))]
        for field_path, column in wanted:
            if column not in columns:
                close = difflib.get_close_matches(column, columns, n=1, cutoff=0.6)
                diags.append(
                    c.doc.diagnostic(
                        "MS302", f"column {column!r} is not in data contract {contract.name!r}", field_path,
                        hint=f"did you mean {close[0]!r}?" if close else f"columns: {', '.join(columns)}",
                    )
                )
    return diags


def _check_waiver(c: Candidate, index: Index) -> list[Diagnostic]:
    rule = c.spec.get("rule")
    policy = index.get(address_of("Policy", c.spec["policy"]))
    if not rule or policy is None:
        return []
    ids = [r["id"] for r in policy.spec.get("rules", [])]
    if rule in ids:
        return []
    close = difflib.get_close_matches(rule, ids, n=1, cutoff=0.6)
    return [
        c.doc.diagnostic(
            "MS304", f"policy {policy.name!r} has no rule {rule!r}", ("spec", "rule"),
            hint=f"did you mean {close[0]!r}?" if close else f"its rules: {', '.join(ids)}",
        )
    ]


_CHECKS: dict[str, Callable[[Candidate, Index], list[Diagnostic]]] = {
    "Model": _check_model,
    "Waiver": _check_waiver,
}


def _promotion_cycles(index: Index) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for c in index.values():
        if c.kind != "Target":
            continue
        seen = [c.address]
        current = c
        while current.spec.get("promotion_from"):
            nxt = address_of("Target", current.spec["promotion_from"])
            if nxt == c.address:
                chain = " -> ".join([*seen, nxt])
                diags.append(
                    c.doc.diagnostic(
                        "MS305", f"promotion_from forms a cycle: {chain}", ("spec", "promotion_from"),
                        hint="a promotion chain must start at a target with no promotion_from",
                    )
                )
                break
            if nxt in seen or nxt not in index:
                break
            seen.append(nxt)
            current = index[nxt]
    return diags
