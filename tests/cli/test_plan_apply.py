"""`modelspec plan`, `apply` and `show` end to end on a small project."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from plan_workspace import SPECS, write_churn_data

import modelspec.cli.apply as apply_cli
from modelspec.cli import cli
from modelspec.project import load_project
from modelspec.state import LockInfo, backend_for

CARD = "generated/models/churn-model/model-card.md"


@pytest.fixture
def root(make_project: Callable[[dict[str, str]], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    path = make_project(SPECS)
    write_churn_data(path)  # apply trains the model from its contract's data
    monkeypatch.chdir(path)
    return path


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_plan_shows_creates_and_exit_codes(root: Path) -> None:
    result = run("plan")
    assert result.exit_code == 0, result.output
    assert "  + model.churn-model" in result.stdout
    assert result.stdout.endswith("Plan: 4 to create, 0 to update, 0 to replace, 0 to delete.\n")
    assert "\x1b[" not in result.stdout
    assert run("plan", "--detailed-exitcode").exit_code == 2


def test_plan_formats(root: Path) -> None:
    data = json.loads(run("plan", "--format", "json").stdout)
    assert data["summary"]["create"] == 4 and data["format_version"] == "1"
    markdown = run("plan", "--format", "markdown").stdout
    assert markdown.startswith("### modelspec plan") and "<details>" in markdown


def test_saved_plan_show_apply_and_staleness(root: Path) -> None:
    assert run("plan", "--out", "plan.json").exit_code == 0
    shown = run("show", "plan.json")
    assert shown.exit_code == 0 and "Plan: 4 to create" in shown.stdout
    assert json.loads(run("show", "plan.json", "--format", "json").stdout)["serial"] == 0
    applied = run("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete! Resources: 4 created" in applied.stdout
    assert (root / CARD).is_file()
    # the local engine trained and registered the model, and the deployment took that build
    project, _ = load_project(root)
    assert project is not None
    resources = backend_for(project).read().resources
    model = resources["model.churn-model"].outputs
    assert model["build"] == "1.0.0+1" and model["metrics"]["roc_auc"] >= 0.7
    assert resources["deployment.churn-prod"].outputs["model_build"] == "1.0.0+1"
    again = run("plan", "--detailed-exitcode")
    assert again.exit_code == 0 and "No changes. Specs match the applied state." in again.stdout
    stale = run("apply", "plan.json")
    assert stale.exit_code == 1
    assert "Saved plan is stale: state serial is 1, the plan was made at 0" in stale.stderr


def test_apply_without_a_terminal_needs_auto_approve(root: Path) -> None:
    refused = run("apply")
    assert refused.exit_code == 1
    assert "refusing to apply without confirmation" in refused.stderr
    assert not (root / CARD).exists()
    approved = run("apply", "--auto-approve")
    assert approved.exit_code == 0 and (root / CARD).is_file()


def test_apply_asks_and_accepts_only_yes(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apply_cli, "stdin_is_interactive", lambda: True)
    cancelled = run("apply", input="y\n")
    assert cancelled.exit_code == 1 and "apply cancelled" in cancelled.stderr
    assert "Only 'yes' will be accepted" in cancelled.stdout
    assert not (root / CARD).exists()
    assert run("apply", input="yes\n").exit_code == 0
    assert (root / CARD).is_file()


def test_version_not_bumped_is_an_error_and_saves_nothing(root: Path) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    model = root / "specs" / "model.yaml"
    model.write_text(model.read_text().replace("max_depth: 8", "max_depth: 12"))
    result = run("plan", "--out", "plan.json")
    assert result.exit_code == 1
    assert "specs/model.yaml:5:12: error[MS501]" in result.stderr
    assert not (root / "plan.json").exists()


def test_show_of_a_corrupt_file_is_a_clear_error(root: Path) -> None:
    (root / "plan.json").write_text('{"format_version": "1"')
    result = run("show", "plan.json")
    assert result.exit_code == 1
    assert "MS503" in result.stderr and "not a readable saved plan" in result.stderr
    missing = run("show", "nope.json")
    assert missing.exit_code == 1 and "cannot read the plan file nope.json" in missing.stderr


def test_a_held_lock_is_named(root: Path) -> None:
    project, _ = load_project(root)
    assert project is not None
    holder = LockInfo.new("apply")
    with backend_for(project).lock(holder):
        result = run("apply", "--auto-approve")
    assert result.exit_code == 1
    assert holder.id in result.stderr
