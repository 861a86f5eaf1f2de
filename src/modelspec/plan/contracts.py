"""Which data-contract changes break consumers, and which contract columns a model is trained on."""

from __future__ import annotations

from typing import Any

from modelspec.plan.diff import display_value, same

__all__ = ["breaking_changes", "columns_by_name", "major_of", "used_column_changes"]


def columns_by_name(contract_doc: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The columns of a normalized DataContract document, by name."""
    if not contract_doc:
        return {}
    columns = contract_doc.get("spec", {}).get("columns") or []
    return {c["name"]: c for c in columns if isinstance(c, dict) and isinstance(c.get("name"), str)}


def major_of(version: Any) -> str:
    return str(version).split(".", 1)[0] if version is not None else ""


def used_columns(model_doc: dict[str, Any]) -> list[str]:
    """Target first, then features, as the model spec names them."""
    data = model_doc.get("spec", {}).get("data") or {}
    names: list[str] = []
    target = data.get("target")
    if isinstance(target, str):
        names.append(target)
    names.extend(f for f in data.get("features") or [] if isinstance(f, str) and f not in names)
    return names


def used_column_changes(
    model_doc: dict[str, Any],
    old_contract: dict[str, Any] | None,
    new_contract: dict[str, Any] | None,
) -> list[str]:
    """Sentences for each column the model uses whose definition changed in its contract."""
    if old_contract is None or new_contract is None:
        return []
    contract = new_contract.get("metadata", {}).get("name", "")
    old, new = columns_by_name(old_contract), columns_by_name(new_contract)
    out: list[str] = []
    for name in used_columns(model_doc):
        before, after = old.get(name), new.get(name)
        if before is None or same(before, after):
            continue  # a column new to the contract is a spec.data change, seen there
        if after is None:
            out.append(f"column {name} was removed from datacontract.{contract}")
            continue
        parts = [
            f"{key}: {display_value(before.get(key))} -> {display_value(after.get(key))}"
            for key in sorted(set(before) | set(after))
            if not same(before.get(key), after.get(key))
        ]
        out.append(f"column {name} of datacontract.{contract} changed ({', '.join(parts)})")
    return out


def breaking_changes(old_doc: dict[str, Any], new_doc: dict[str, Any]) -> list[str]:
    """Why a new contract version breaks its consumers: removed, retyped or narrowed columns."""
    old, new = columns_by_name(old_doc), columns_by_name(new_doc)
    out: list[str] = []
    for name, before in old.items():
        after = new.get(name)
        if after is None:
            out.append(f"column {name} removed")
            continue
        out.extend(f"column {name}: {why}" for why in _narrowed(before, after))
    if not old_doc.get("spec", {}).get("strict") and new_doc.get("spec", {}).get("strict"):
        out.append("contract made strict")
    return out


def _narrowed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if before.get("type") != after.get("type"):
        out.append(f"type changed {before.get('type')} -> {after.get('type')}")
    for flag in ("required", "unique"):
        if after.get(flag) and not before.get(flag):
            out.append(f"made {flag}")
    for key in ("min", "min_length"):
        if _raised(before.get(key), after.get(key)):
            out.append(f"{key} raised {display_value(before.get(key))} -> {after.get(key)}")
    for key in ("max", "max_length"):
        if _raised(after.get(key), before.get(key)):
            out.append(f"{key} lowered {display_value(before.get(key))} -> {after.get(key)}")
    old_allowed, new_allowed = before.get("allowed"), after.get("allowed")
    if new_allowed is not None and (
        old_allowed is None or any(v not in new_allowed for v in old_allowed)
    ):
        out.append("allowed values narrowed")
    if after.get("pattern") is not None and after.get("pattern") != before.get("pattern"):
        out.append("pattern added or changed")
    return out


def _raised(low: Any, high: Any) -> bool:
    """True when a bound moved from low to a stricter high (None is unbounded)."""
    if high is None or isinstance(high, bool):
        return False
    if low is None:
        return True
    try:
        return bool(high > low)
    except TypeError:
        return bool(low != high)
