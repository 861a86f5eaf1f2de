"""`modelspec plan`, `apply` and `show` end to end on a small project."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def modelspec_process(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "modelspec", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_started(log: Path, count: int, child: subprocess.Popen[str]) -> dict[str, Any]:
    """The count-th `started` record of the audit log, once the apply writing it has planned."""
    from modelspec.state.audit import read_audit_records

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        started = [r for r in read_audit_records(log) if r["status"] == "started"]
        if len(started) >= count:
            return started[count - 1]
        time.sleep(0.01)
    raise AssertionError("the apply did not start")


@pytest.mark.slow
def test_applies_queued_on_the_lock_plan_again_and_a_stale_saved_plan_is_refused(
    root: Path,
) -> None:
    """Three real processes. A retrains the model; while it holds the lock, B (a fresh apply of
    another edit) and C (a plan saved before A) queue with --lock-timeout 60. B plans under the
    lock against the state A wrote and succeeds; C is refused as stale, told to plan again."""
    from modelspec.state import read_audit

    assert run("apply", "--auto-approve").exit_code == 0  # serial 1
    model = root / "specs" / "model.yaml"
    model.write_text(
        model.read_text().replace("max_depth: 8", "max_depth: 12").replace("1.0.0", "1.1.0")
    )
    assert run("plan", "--out", "saved.json").exit_code == 0
    log = root / ".modelspec" / "audit.jsonl"
    a = modelspec_process(root, "apply", "--auto-approve", "--lock-timeout", "60")
    a_started = wait_for_started(log, 2, a)  # A holds the lock, has planned, trains next
    deployment = root / "specs" / "deployment.yaml"
    deployment.write_text(deployment.read_text().replace("max: 2", "max: 3"))
    b = modelspec_process(root, "apply", "--auto-approve", "--lock-timeout", "60")
    c = modelspec_process(root, "apply", "saved.json", "--lock-timeout", "60")
    assert a.poll() is None  # B and C started while A held the lock
    results = {
        name: (p, *p.communicate(timeout=300)) for name, p in zip("abc", (a, b, c), strict=True)
    }
    for name in "ab":
        process, out, err = results[name]
        assert process.returncode == 0, (name, out, err)
        assert "Apply complete!" in out and "stale" not in err
    assert "Resources: 0 created, 1 updated, 0 replaced" in results["b"][1]
    c_process, _, c_err = results["c"]
    assert c_process.returncode == 1
    assert "Saved plan is stale: state serial is " in c_err and "the plan was made at 1" in c_err
    assert "run `modelspec plan` again" in c_err
    project, _ = load_project(root)
    assert project is not None
    state = backend_for(project).read()
    assert state.serial == 3
    assert state.resources["model.churn-model"].outputs["version"] == "1.1.0"
    spec = state.resources["deployment.churn-prod"].spec["spec"]
    assert spec["replicas"]["max"] == 3
    entries = read_audit(log)
    assert [e["status"] for e in entries] == ["ok", "ok", "ok"]
    assert entries[1]["id"] == a_started["id"] and entries[1]["summary"]["replace"] == 1
    assert entries[2]["from_serial"] == 2 and entries[2]["summary"]["update"] == 1
    assert entries[2]["summary"]["replace"] == 0
