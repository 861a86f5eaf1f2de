"""Saved plan files (`plan --out`): the plan JSON plus what apply needs to tell that it is stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelspec import jsonio
from modelspec.diagnostics import Diagnostic, Severity
from modelspec.errors import UserError
from modelspec.files import ReadRefused, os_reason, read_regular
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

__all__ = ["PLAN_FILE_LIMIT", "SavedPlanError", "dumps_plan", "loads_plan", "read_plan_file"]

PLAN_FILE_LIMIT = 256 << 20  # a plan of 10,000 changes with their diffs is tens of megabytes
_HINT = "make a new one with `modelspec plan --out FILE`"


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
    text = jsonio.dumps(jsonio.finite(data), sort_keys=True, indent=2, ensure_ascii=False)
    return text + "\n"


def read_plan_file(path: str) -> tuple[Plan | None, list[Diagnostic]]:
    """The plan saved in path, as loads_plan reads it.

    A file that cannot be read at all (missing, not a regular file, over
    PLAN_FILE_LIMIT) is a UserError naming it; one that is not a plan is MS503.
    """
    try:
        data = read_regular(Path(path), limit=PLAN_FILE_LIMIT)
    except ReadRefused as exc:
        raise UserError(f"cannot read the plan file {path}: {exc}; {_HINT}") from None
    except OSError as exc:
        raise UserError(f"cannot read the plan file {path}: {os_reason(exc)}") from None
    return loads_plan(data, path)


def loads_plan(text: str | bytes, file: str = "") -> tuple[Plan | None, list[Diagnostic]]:
    """Read a saved plan with jsonio.loads; anything malformed is one MS503 diagnostic naming what is wrong."""
    try:
        return _parse(jsonio.loads(text)), []
    except jsonio.JsonRefused as exc:
        why = str(exc)
    except (SavedPlanError, KeyError, TypeError, ValueError) as exc:
        why = str(exc) if isinstance(exc, SavedPlanError) else f"malformed field {exc}"
    return None, [
        Diagnostic(
            Severity.ERROR,
            "MS503",
            f"{file or 'the file'} is not a readable saved plan: {why}",
            file=file,
            hint=_HINT,
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
