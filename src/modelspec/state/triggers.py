"""Triggers left by `modelspec monitor` for the next plan: retrain a model, roll a deployment back.

`.modelspec/triggers.json` maps an address to {"reason", "at", "action"}:
`model.<name>` with action retrain (the next plan replaces the model as a new
build) and `deployment.<name>` with action rollback (the next apply moves the
target's alias back to the build it served before).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelspec import clock, jsonio
from modelspec.project import Project
from modelspec.state.model import StateError
from modelspec.state.readback import TRIGGERS_LIMIT, os_failure, parse_json, read_file

__all__ = [
    "TRIGGERS_FILE",
    "clear_trigger",
    "read_trigger_records",
    "read_triggers",
    "record_trigger",
    "triggers_path",
]

TRIGGERS_FILE = "triggers.json"


def triggers_path(project: Project) -> Path:
    return project.work_dir / TRIGGERS_FILE


def read_trigger_records(project: Project) -> dict[str, dict[str, Any]]:
    """Every trigger with its reason, time and action; {} when there are none.

    A file that cannot be read or parsed is a StateError naming it (a trigger
    silently dropped would be a breach nobody acts on, and recording the next
    one would overwrite the rest); entries that are not trigger records are skipped.
    """
    path = triggers_path(project)
    fix = (
        "delete it to drop the pending triggers (the next `modelspec monitor` records "
        "any breach again)"
    )
    raw = read_file(path, "triggers file", limit=TRIGGERS_LIMIT, fix=fix)
    if raw is None:
        return {}
    data = parse_json(raw, "triggers file", path, fix=fix)
    if not isinstance(data, dict):
        raise StateError(f"triggers file {path} is corrupt: the top level is not an object; {fix}")
    return {
        address: record
        for address, record in sorted(data.items())
        if isinstance(record, dict) and isinstance(record.get("reason"), str)
    }


def read_triggers(project: Project) -> dict[str, str]:
    """address -> reason, for plan's `retrain` argument."""
    return {address: record["reason"] for address, record in read_trigger_records(project).items()}


def record_trigger(project: Project, address: str, reason: str, action: str) -> None:
    """Record (or replace) the trigger for an address; a StateError when the file cannot be kept."""
    records = read_trigger_records(project)
    records[address] = {
        "action": action,
        "at": clock.utc_now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "reason": reason,
    }
    _write(project, records)


def clear_trigger(project: Project, address: str) -> None:
    """Forget the trigger of an address (after apply acted on it); nothing when there is none."""
    records = read_trigger_records(project)
    if records.pop(address, None) is not None:
        _write(project, records)


def _write(project: Project, records: dict[str, dict[str, Any]]) -> None:
    from modelspec.files import write_atomic

    text = jsonio.dumps(jsonio.finite(dict(sorted(records.items()))), indent=2, sort_keys=True)
    try:
        write_atomic(triggers_path(project), (text + "\n").encode("utf-8", "backslashreplace"))
    except OSError as exc:
        raise os_failure("write triggers file", triggers_path(project), exc) from None
