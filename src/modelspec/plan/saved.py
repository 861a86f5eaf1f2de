"""Saved plan files (`plan --out`): the plan JSON plus what apply needs to tell that it is stale."""

from __future__ import annotations

import json
from typing import Any

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.plan.model import (
    ACTIONS,
    FORMAT_VERSION,
    ArtifactWrite,
    AttributeDiff,
    Change,
    Drift,
    Plan,
)
from modelspec.plan.render_json import plan_to_dict

__all__ = ["SavedPlanError", "dumps_plan", "loads_plan"]


class SavedPlanError(ValueError):
    """The file is not a saved plan this version of modelspec can read."""


def dumps_plan(plan: Plan) -> str:
    """The saved form: the plan JSON, the resource digests, and each change's file writes."""
    data = plan_to_dict(plan)
    data["resources"] = dict(sorted(plan.resources.items()))
    for entry, change in zip(data["changes"], plan.changes, strict=True):
        entry["artifacts"] = {
            "write": [{"path": w.path, "digest": w.digest} for w in change.writes],
            "delete": list(change.deletes),
        }
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def loads_plan(text: str, file: str = "") -> tuple[Plan | None, list[Diagnostic]]:
    """Read a saved plan; anything malformed is one MS503 diagnostic naming what is wrong."""
    try:
        return _parse(json.loads(text)), []
    except json.JSONDecodeError as exc:
        why = f"it is not valid JSON ({exc.msg} at line {exc.lineno})"
    except (SavedPlanError, KeyError, TypeError, ValueError) as exc:
        why = str(exc) if isinstance(exc, SavedPlanError) else f"malformed field {exc}"
    return None, [
        Diagnostic(
            Severity.ERROR,
            "MS503",
            f"{file or 'the file'} is not a readable saved plan: {why}",
            file=file,
            hint="make a new one with `modelspec plan --out FILE`",
        )
    ]


def _parse(data: Any) -> Plan:
    if not isinstance(data, dict):
        raise SavedPlanError("the top level is not a JSON object")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise SavedPlanError(f"format_version is {version!r}, expected {FORMAT_VERSION!r}")
    resources = _expect(data, "resources", dict)
    policy = _expect(data, "policy", dict)
    return Plan(
        lineage=_expect(data, "lineage", str),
        serial=_expect(data, "serial", int),
        changes=tuple(_change(c) for c in _expect(data, "changes", list)),
        drift=tuple(_drift(d) for d in _expect(data, "drift", list)),
        resources={str(k): _is(v, str, f"resources.{k}") for k, v in resources.items()},
        policy={
            "results": list(_expect(policy, "results", list)),
            "blocking": _expect(policy, "blocking", bool),
        },
    )


def _change(data: Any) -> Change:
    data = _is(data, dict, "changes[]")
    actions = tuple(_expect(data, "actions", list))
    if actions not in ACTIONS:
        raise SavedPlanError(f"unknown actions {list(actions)!r}")
    artifacts = _expect(data, "artifacts", dict)
    return Change(
        address=_expect(data, "address", str),
        kind=_expect(data, "kind", str),
        name=_expect(data, "name", str),
        actions=actions,
        reason=_expect(data, "reason", str),
        diffs=tuple(
            AttributeDiff(_expect(d, "path", str), d.get("before"), d.get("after"))
            for d in _expect(data, "diffs", list)
        ),
        breaking=_expect(data, "breaking", bool),
        writes=tuple(
            ArtifactWrite(_expect(w, "path", str), _expect(w, "digest", str))
            for w in _expect(artifacts, "write", list)
        ),
        deletes=tuple(
            _is(p, str, "artifacts.delete[]") for p in _expect(artifacts, "delete", list)
        ),
    )


def _drift(data: Any) -> Drift:
    data = _is(data, dict, "drift[]")
    return Drift(
        address=_expect(data, "address", str),
        path=_expect(data, "path", str),
        expected=_expect(data, "expected", str),
        actual=_expect(data, "actual", str),
    )


def _expect(data: Any, key: str, kind: type[Any]) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise SavedPlanError(f"{key} is missing")
    return _is(data[key], kind, key)


_NAMES: dict[type[Any], str] = {
    int: "an integer",
    str: "a string",
    bool: "true or false",
    dict: "an object",
    list: "a list",
}


def _is(value: Any, kind: type[Any], where: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SavedPlanError(f"{where} is not {_NAMES.get(kind, kind.__name__)}")
    return value
