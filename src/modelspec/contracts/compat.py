"""Which changes to a data contract are breaking under semver, and why.

The rule: a change is breaking when data that met the old contract can fail
the new one, or when a column consumers read is gone or means something
else. So removing or renaming a column, changing its type or
classification, making it required or unique, raising a min, lowering a
max, tightening a length, narrowing `allowed`, adding or changing a
pattern, turning `strict` on, and tightening `quality.row_count` are
breaking. Adding an optional column, widening bounds or `allowed`,
dropping a constraint and editing descriptions are not. A breaking change
needs a new major `spec.version`.

The old document comes from state, which anyone who can write `.modelspec/`
can edit: every function here is total over any JSON (a bound that is not a
number is a change it cannot rank, so it counts as breaking).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ContractChange",
    "breaking_reasons",
    "classify",
    "columns_by_name",
    "major_of",
    "needs_major_bump",
]

_TIGHTER_WHEN_RAISED = ("min", "min_length")
_TIGHTER_WHEN_LOWERED = ("max", "max_length")
_NEVER_BREAKING = ("description",)


@dataclass(frozen=True, slots=True)
class ContractChange:
    """One changed attribute of a contract; path is a JSON pointer into the new document
    (the old one for a removed column), column the column it belongs to, if any."""

    path: str
    before: Any
    after: Any
    breaking: bool
    reason: str
    column: str | None = None


def columns_by_name(document: dict[str, Any] | None) -> dict[str, tuple[int, dict[str, Any]]]:
    """The columns of a normalized DataContract document: name -> (index, column)."""
    columns = _mapping(_mapping(document).get("spec")).get("columns")
    if not isinstance(columns, list):
        return {}
    return {
        c["name"]: (index, c)
        for index, c in enumerate(columns)
        if isinstance(c, dict) and isinstance(c.get("name"), str)
    }


def major_of(version: Any) -> int | None:
    """The MAJOR part of a semver string, None when it has none."""
    head = str(version or "").split(".", 1)[0]
    return int(head) if head.isdigit() else None


def classify(before: dict[str, Any], after: dict[str, Any]) -> list[ContractChange]:
    """Every change to the columns, `strict` and `quality` of a contract, classified."""
    old, new = columns_by_name(before), columns_by_name(after)
    out: list[ContractChange] = []
    for name, (index, column) in new.items():
        if name in old:
            out.extend(_column_changes(name, index, old[name][1], column))
        else:
            required = bool(column.get("required"))
            out.append(ContractChange(
                f"/spec/columns/{index}", None, column, required,
                f"column {name} added as required: data without it fails" if required
                else f"column {name} added as optional", name,
            ))
    added_at = {index: column for name, (index, column) in new.items() if name not in old}
    for name, (index, column) in old.items():
        if name not in new:
            successor = added_at.get(index)
            renamed = successor is not None and successor.get("type") == column.get("type")
            how = f"renamed to {successor['name']}?" if successor and renamed else "or renamed"
            out.append(ContractChange(
                f"/spec/columns/{index}", column, None, True,
                f"column {name} removed ({how}): consumers that read it break", name,
            ))
    out.extend(_table_changes(_mapping(before.get("spec")), _mapping(after.get("spec"))))
    return out


def breaking_reasons(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Why the new contract breaks the old one's consumers; [] when it does not."""
    return [c.reason for c in classify(before, after) if c.breaking]


def needs_major_bump(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """True when the change is breaking and spec.version keeps its MAJOR."""
    old = major_of(_mapping(before.get("spec")).get("version"))
    new = major_of(_mapping(after.get("spec")).get("version"))
    bumped = old is not None and new is not None and new > old
    return not bumped and bool(breaking_reasons(before, after))


def _column_changes(
    name: str, index: int, before: dict[str, Any], after: dict[str, Any]
) -> list[ContractChange]:
    out: list[ContractChange] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if _same(old, new):
            continue
        breaking, why = _attribute(key, old, new)
        out.append(ContractChange(
            f"/spec/columns/{index}/{key}", old, new, breaking, f"column {name}: {why}", name
        ))
    return out


def _attribute(key: str, old: Any, new: Any) -> tuple[bool, str]:
    """(breaking, reason) for one column attribute that changed from old to new."""
    if key in _NEVER_BREAKING:
        return False, f"{key} edited"
    if key == "type":
        return True, f"type changed from {old} to {new}"
    if key == "classification":
        return True, f"classification changed from {_show(old)} to {_show(new)}"
    if key in ("required", "unique"):
        if new and not old:
            return True, f"made {key}"
        return False, f"no longer {key}"
    if key in _TIGHTER_WHEN_RAISED or key in _TIGHTER_WHEN_LOWERED:
        return _bound(key, old, new)
    if key == "allowed":
        return _allowed(old, new)
    if key == "pattern":
        if new is None:
            return False, "pattern removed"
        return True, "pattern added" if old is None else f"pattern changed from {old} to {new}"
    return False, f"{key} changed from {_show(old)} to {_show(new)}"


def _bound(key: str, old: Any, new: Any) -> tuple[bool, str]:
    raised_is_tighter = key in _TIGHTER_WHEN_RAISED
    if new is None:
        return False, f"{key} {_show(old)} removed"
    if old is None:
        return True, f"{key} {_show(new)} added"
    if not (_is_number(old) and _is_number(new)):
        return True, f"{key} changed from {_show(old)} to {_show(new)}"
    tighter = new > old if raised_is_tighter else new < old
    verb = "raised" if new > old else "lowered"
    what = "narrowed" if tighter else "widened"
    return tighter, f"{key} {verb} from {_show(old)} to {_show(new)} (range {what})"


def _allowed(old: Any, new: Any) -> tuple[bool, str]:
    if new is None:
        return False, "allowed values removed (any value is allowed)"
    if old is None and isinstance(new, list):
        return True, f"allowed values added: {_values(new)}"
    if not (isinstance(old, list) and isinstance(new, list)):
        return True, f"allowed values changed from {_show(old)} to {_show(new)}"
    dropped = [v for v in old if not any(_same(v, n) for n in new)]
    added = [v for v in new if not any(_same(v, o) for o in old)]
    if dropped:
        return True, f"allowed values narrowed: {_values(dropped)} no longer allowed"
    if added:
        return False, f"allowed values widened: {_values(added)} added"
    return False, "allowed values reordered"


def _table_changes(before: dict[str, Any], after: dict[str, Any]) -> list[ContractChange]:
    out: list[ContractChange] = []
    old_strict, new_strict = bool(before.get("strict")), bool(after.get("strict"))
    if old_strict != new_strict:
        out.append(ContractChange(
            "/spec/strict", before.get("strict"), after.get("strict"), new_strict,
            "strict turned on: data with extra columns fails" if new_strict
            else "strict turned off: extra columns are allowed",
        ))
    old_rows = _mapping(_mapping(before.get("quality")).get("row_count"))
    new_rows = _mapping(_mapping(after.get("quality")).get("row_count"))
    for key in ("min", "max"):
        old, new = old_rows.get(key), new_rows.get(key)
        if _same(old, new):
            continue
        breaking, why = _bound(key, old, new)
        out.append(ContractChange(
            f"/spec/quality/row_count/{key}", old, new, breaking, f"row count {why}"
        ))
    return out


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(a: Any, b: Any) -> bool:
    """Equal values of one type; 1 and 1.0 are the same bound, True and 1 are not."""
    if type(a) is type(b):
        return bool(a == b)
    numbers = (int, float)
    plain = not isinstance(a, bool) and not isinstance(b, bool)
    return plain and isinstance(a, numbers) and isinstance(b, numbers) and a == b


def _show(value: Any) -> str:
    return "(none)" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _values(values: list[Any]) -> str:
    return ", ".join(_show(v) for v in values)
