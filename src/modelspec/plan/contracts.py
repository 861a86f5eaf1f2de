"""Which contract columns a model is trained on, and how their definitions changed."""

from __future__ import annotations

from typing import Any

from modelspec.contracts import compat
from modelspec.valuediff import display_value, same

__all__ = ["columns_by_name", "used_column_changes", "used_columns"]


def columns_by_name(contract_doc: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The columns of a normalized DataContract document (from state, so any JSON), by name."""
    return {name: column for name, (_, column) in compat.columns_by_name(contract_doc).items()}


def used_columns(model_doc: dict[str, Any]) -> list[str]:
    """Target first, then features, as the model spec names them."""
    spec = model_doc.get("spec")
    data = spec.get("data") if isinstance(spec, dict) else None
    if not isinstance(data, dict):
        return []
    names: list[str] = []
    target = data.get("target")
    if isinstance(target, str):
        names.append(target)
    features = data.get("features")
    if isinstance(features, list):
        names.extend(f for f in features if isinstance(f, str) and f not in names)
    return names


def used_column_changes(
    model_doc: dict[str, Any],
    old_contract: dict[str, Any] | None,
    new_contract: dict[str, Any] | None,
) -> list[str]:
    """Sentences for each column the model uses whose definition changed in its contract."""
    if old_contract is None or new_contract is None:
        return []
    metadata = new_contract.get("metadata")
    contract = metadata.get("name", "") if isinstance(metadata, dict) else ""
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
