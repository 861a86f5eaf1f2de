"""Triggers in .modelspec/triggers.json: recorded by monitor, read by plan, cleared by apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelspec.project import Project, ProjectConfig
from modelspec.state import StateError
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


def test_an_unreadable_file_is_a_clear_error_and_is_never_overwritten(tmp_path: Path) -> None:
    # It used to read as "no triggers": a breach nobody acted on, and the next
    # record_trigger overwrote every other pending trigger with its own.
    project = _project(tmp_path)
    triggers_path(project).parent.mkdir(parents=True)
    triggers_path(project).write_text("{not json")
    with pytest.raises(StateError) as info:
        read_triggers(project)
    assert str(info.value).startswith(
        f"triggers file {triggers_path(project)} is corrupt: not valid JSON at line 1, column 2"
    )
    assert "delete it to drop the pending triggers" in str(info.value)
    with pytest.raises(StateError):
        record_trigger(project, "model.m", "drift", "retrain")
    assert triggers_path(project).read_text() == "{not json"
    triggers_path(project).write_text('{"model.m": {"at": "x"}, "model.n": {"reason": "r"}}')
    assert read_triggers(project) == {"model.n": "r"}


def test_a_triggers_file_that_cannot_be_reached_names_it_and_the_reason(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (tmp_path / ".modelspec").write_text("a file where the directory should be")
    with pytest.raises(StateError) as info:
        record_trigger(project, "model.m", "drift", "retrain")
    assert f"{triggers_path(project)}: Not a directory (ENOTDIR)" in str(info.value)
