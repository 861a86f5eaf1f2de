"""Triggers left by `modelspec monitor` for the next plan: retrain a model, roll a deployment back.

`.modelspec/triggers.json` maps an address to {"reason", "at", "action"}:
`model.<name>` with action retrain (the next plan replaces the model as a new
build) and `deployment.<name>` with action rollback (the next apply moves the
target's alias back to the build it served before).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modelspec import clock
from modelspec.project import Project

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
    """Every trigger with its reason, time and action; {} when there are none or the file is unreadable."""
    try:
        data = json.loads(triggers_path(project).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        address: record
        for address, record in sorted(data.items())
        if isinstance(record, dict) and isinstance(record.get("reason"), str)
    }


def read_triggers(project: Project) -> dict[str, str]:
    """address -> reason, for plan's `retrain` argument."""
    return {address: record["reason"] for address, record in read_trigger_records(project).items()}


def record_trigger(project: Project, address: str, reason: str, action: str) -> None:
    """Record (or replace) the trigger for an address."""
    from modelspec.files import write_atomic

    records = read_trigger_records(project)
    records[address] = {
        "action": action,
        "at": clock.utc_now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "reason": reason,
    }
    write_atomic(triggers_path(project), _dump(records))


def clear_trigger(project: Project, address: str) -> None:
    """Forget the trigger of an address (after apply acted on it); nothing when there is none."""
    from modelspec.files import write_atomic

    records = read_trigger_records(project)
    if records.pop(address, None) is not None:
        write_atomic(triggers_path(project), _dump(records))


def _dump(records: dict[str, dict[str, Any]]) -> bytes:
    return (json.dumps(dict(sorted(records.items())), indent=2, sort_keys=True) + "\n").encode()
