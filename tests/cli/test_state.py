"""`modelspec state list`, `state show` and `force-unlock`, driven through the real CLI group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import modelspec.cli.force_unlock as force_unlock_cli
from modelspec.cli import cli
from modelspec.state import LocalFileBackend, LockInfo, ResourceState, State


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalFileBackend:
    (tmp_path / "modelspec.yaml").write_text("project: demo\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return LocalFileBackend(tmp_path / ".modelspec" / "state.json")


def churn_model() -> ResourceState:
    return ResourceState(
        address="model.churn-classifier",
        kind="Model",
        name="churn-classifier",
        digest="sha256:0123456789abcdef" + "0" * 48,
        spec={
            "apiVersion": "modelspec/v1",
            "kind": "Model",
            "metadata": {"name": "churn-classifier", "owner": "growth-ml"},
            "spec": {"version": "2.1.0", "task": "classification"},
        },
        outputs={"build": "2.1.0+1", "metrics": {"roc_auc": 0.87}},
        artifacts={"models/churn-classifier/card.md": "sha256:" + "f" * 64},
        depends_on=("datacontract.churn",),
    )


def churn_contract() -> ResourceState:
    return ResourceState(
        address="datacontract.churn",
        kind="DataContract",
        name="churn",
        digest="sha256:fedcba9876543210" + "1" * 48,
        spec={"apiVersion": "modelspec/v1", "kind": "DataContract", "metadata": {"name": "churn"}},
        outputs={},
        artifacts={},
    )


@pytest.fixture
def applied(project: LocalFileBackend) -> State:
    state = State(lineage="lin-1", serial=3, resources={}).with_resource(churn_model())
    state = state.with_resource(churn_contract())
    project.write(state)
    return state


def test_state_list_prints_address_kind_and_short_digest(applied: State) -> None:
    result = run("state", "list")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "datacontract.churn      DataContract  sha256:fedcba987654",
        "model.churn-classifier  Model         sha256:0123456789ab",
    ]


def test_state_list_json(applied: State) -> None:
    result = run("state", "list", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["format_version"], data["lineage"], data["serial"]) == ("1", "lin-1", 3)
    assert [r["address"] for r in data["resources"]] == [
        "datacontract.churn",
        "model.churn-classifier",
    ]
    assert data["resources"][1]["digest"] == churn_model().digest


def test_state_list_of_an_empty_project(project: LocalFileBackend) -> None:
    result = run("state", "list")
    assert result.exit_code == 0
    assert "No resources in state." in result.output
    assert json.loads(run("state", "list", "--format", "json").output)["resources"] == []


def test_state_show_text(applied: State) -> None:
    result = run("state", "show", "model.churn-classifier")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("# model.churn-classifier\nkind: Model\n")
    assert f"digest: {churn_model().digest}" in out
    assert "depends_on: datacontract.churn" in out
    assert "  build: 2.1.0+1" in out
    assert "  models/churn-classifier/card.md: sha256:" in out
    assert "    version: 2.1.0" in out


def test_state_show_json(applied: State) -> None:
    result = run("state", "show", "model.churn-classifier", "--format", "json")
    data = json.loads(result.output)
    model = churn_model()
    assert data["spec"] == model.spec and data["outputs"] == model.outputs
    assert data["artifacts"] == model.artifacts and data["depends_on"] == ["datacontract.churn"]


def test_state_show_unknown_address_suggests_the_close_one(applied: State) -> None:
    result = run("state", "show", "model.churn-clasifier")
    assert result.exit_code == 1
    assert (
        "no resource model.churn-clasifier in state; did you mean model.churn-classifier?"
        in result.output
    )
    assert "Traceback" not in result.output


def test_corrupt_state_is_one_line_error(applied: State, project: LocalFileBackend) -> None:
    project.write(applied.bump())
    project.path.write_text("{not json", encoding="utf-8")
    result = run("state", "list")
    assert result.exit_code == 1
    assert "is corrupt" in result.output and "state.json.backup" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.splitlines()) == 1


def test_outside_a_project_prints_the_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("state", "list")
    assert result.exit_code == 1
    assert "error[MS001]: no modelspec.yaml found" in result.output


def test_broken_config_prints_file_line_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "modelspec.yaml").write_text("project: demo\nspecz: x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("state", "list")
    assert result.exit_code == 1
    assert "modelspec.yaml:2:1: error[MS001]" in result.output


def test_force_unlock_with_the_right_id(project: LocalFileBackend) -> None:
    lock = project.lock(LockInfo.new("modelspec apply"))
    result = run("force-unlock", lock.id, "--yes")
    assert result.exit_code == 0, result.output
    assert f"Lock {lock.id} removed." in result.output
    assert project.current_lock() is None


def test_force_unlock_with_a_wrong_id_names_the_actual_one(project: LocalFileBackend) -> None:
    lock = project.lock(LockInfo.new("modelspec apply"))
    result = run("force-unlock", "not-the-id", "--yes")
    assert result.exit_code == 1
    assert f"does not match the current lock: lock {lock.id}" in result.output
    assert project.current_lock() == lock.info


def test_force_unlock_without_a_lock(project: LocalFileBackend) -> None:
    result = run("force-unlock", "abc", "--yes")
    assert result.exit_code == 1
    assert "the state is not locked" in result.output


def test_force_unlock_without_a_terminal_requires_yes(project: LocalFileBackend) -> None:
    lock = project.lock(LockInfo.new("modelspec apply"))
    result = run("force-unlock", lock.id)
    assert result.exit_code == 1
    assert "pass --yes" in result.output
    assert project.current_lock() == lock.info


def test_force_unlock_asks_on_a_terminal(
    project: LocalFileBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(force_unlock_cli, "stdin_is_interactive", lambda: True)
    lock = project.lock(LockInfo.new("modelspec apply"))
    refused = run("force-unlock", lock.id, input="n\n")
    assert refused.exit_code != 0 and project.current_lock() == lock.info
    accepted = run("force-unlock", lock.id, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert project.current_lock() is None
