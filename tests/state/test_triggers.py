"""Triggers in .modelspec/triggers.json: recorded by monitor, read by plan, cleared by apply."""

from __future__ import annotations

import json
from pathlib import Path

from modelspec.project import Project, ProjectConfig
from modelspec.state.triggers import (
    clear_trigger,
    read_trigger_records,
    read_triggers,
    record_trigger,
    triggers_path,
)


def _project(tmp_path: Path) -> Project:
    return Project(root=tmp_path, config=ProjectConfig(project="t"))


def test_record_read_and_clear(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert read_triggers(project) == {}
    record_trigger(project, "model.m", "drift breach on deployment.d: x psi 0.41 > 0.2", "retrain")
    record_trigger(
        project, "deployment.d", "performance breach on deployment.d: r2 0.1 < 0.3", "rollback"
    )
    assert triggers_path(project) == tmp_path / ".modelspec" / "triggers.json"
    assert read_triggers(project) == {
        "deployment.d": "performance breach on deployment.d: r2 0.1 < 0.3",
        "model.m": "drift breach on deployment.d: x psi 0.41 > 0.2",
    }
    record = read_trigger_records(project)["model.m"]
    assert record["action"] == "retrain" and record["at"].endswith("Z")
    clear_trigger(project, "model.m")
    clear_trigger(project, "model.absent")
    assert list(read_triggers(project)) == ["deployment.d"]
    assert list(json.loads(triggers_path(project).read_text())) == ["deployment.d"]


def test_an_unreadable_file_means_no_triggers(tmp_path: Path) -> None:
    project = _project(tmp_path)
    triggers_path(project).parent.mkdir(parents=True)
    triggers_path(project).write_text("{not json")
    assert read_triggers(project) == {}
    triggers_path(project).write_text('{"model.m": {"at": "x"}, "model.n": {"reason": "r"}}')
    assert read_triggers(project) == {"model.n": "r"}
