"""`apply --override POLICY --reason TEXT`: soft-mandatory only, and recorded in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from plan_workspace import SPECS, write_churn_data

from modelspec.cli import cli


def policy(enforcement: str) -> str:
    return f"""
apiVersion: modelspec/v1
kind: Policy
metadata: {{name: canary, owner: compliance}}
spec:
  description: Deployments roll out gradually.
  enforcement: {enforcement}
  applies_to: {{kinds: [Deployment]}}
  rules:
    - id: canary-required
      assert: {{field: spec.rollout.strategy, in: [canary, shadow]}}
"""


@pytest.fixture
def project_with(
    make_project: Callable[[dict[str, str]], Path], monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], Path]:
    def make(enforcement: str) -> Path:
        root = make_project({**SPECS, "policy.yaml": policy(enforcement)})
        write_churn_data(root)  # apply trains the model from its contract's data
        monkeypatch.chdir(root)
        monkeypatch.setenv("LOGNAME", "jane.doe")
        return root

    return make


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--no-color", *args], catch_exceptions=False)


def audit(root: Path) -> list[dict[str, object]]:
    from modelspec.state import read_audit  # joins each apply's started and completed records

    return read_audit(root / ".modelspec" / "audit.jsonl")


def test_a_soft_mandatory_failure_blocks_apply_without_an_override(
    project_with: Callable[[str], Path],
) -> None:
    root = project_with("soft-mandatory")
    result = run("apply", "--auto-approve")
    assert result.exit_code == 1
    assert "[canary/canary-required] deployment.churn-prod" in result.stderr
    assert audit(root) == []


def test_an_override_lets_it_through_and_is_audited(project_with: Callable[[str], Path]) -> None:
    root = project_with("soft-mandatory")
    result = run(
        "apply", "--auto-approve", "--override", "canary", "--reason", "hotfix for incident 42"
    )
    assert result.exit_code == 0, result.output
    assert "warning[MS401]" in result.stderr
    assert "overridden by jane.doe: hotfix for incident 42" in result.stderr
    [record] = audit(root)
    assert record["command"] == "apply" and record["status"] == "ok"
    [override] = record["overrides"]  # type: ignore[misc]
    assert override["policy"] == "canary"
    assert override["reason"] == "hotfix for incident 42"
    assert override["user"] == "jane.doe"
    assert str(override["time"]).endswith("Z")
    assert override["findings"] == [
        "[canary/canary-required] deployment.churn-prod: not met: "
        "spec.rollout.strategy is one of canary, shadow (soft-mandatory)"
    ]
    assert record["waived"] == []
    # the next plan still shows the failure: an override holds for one apply
    assert run("plan").exit_code == 1


def test_a_hard_mandatory_policy_cannot_be_overridden(project_with: Callable[[str], Path]) -> None:
    root = project_with("hard-mandatory")
    result = run("apply", "--auto-approve", "--override", "canary", "--reason", "please")
    assert result.exit_code == 1
    assert "error[MS409]: cannot override policy canary" in result.stderr
    assert "hard-mandatory policy cannot be overridden" in result.stderr
    assert audit(root) == []


def test_override_and_reason_go_together(project_with: Callable[[str], Path]) -> None:
    project_with("soft-mandatory")
    missing = run("apply", "--auto-approve", "--override", "canary")
    assert missing.exit_code == 2 and "--override needs --reason" in missing.stderr
    blank = run("apply", "--auto-approve", "--override", "canary", "--reason", "  ")
    assert blank.exit_code == 2
    alone = run("apply", "--auto-approve", "--reason", "why")
    assert alone.exit_code == 2 and "--reason goes with --override" in alone.stderr


def test_plan_has_no_override(project_with: Callable[[str], Path]) -> None:
    project_with("soft-mandatory")
    result = run("plan", "--override", "canary")
    assert result.exit_code == 2 and "No such option" in result.stderr


def test_waived_findings_are_recorded_in_the_audit_log(
    project_with: Callable[[str], Path],
) -> None:
    root = project_with("soft-mandatory")
    (root / "specs" / "waiver.yaml").write_text(
        "apiVersion: modelspec/v1\nkind: Waiver\nmetadata: {name: no-canary, owner: growth}\n"
        "spec:\n  policy: canary\n  resources: [deployment.churn-prod]\n"
        "  justification: No canary capacity.\n  approved_by: dr.who\n  expires: '2099-01-01'\n",
        encoding="utf-8",
    )
    assert run("apply", "--auto-approve").exit_code == 0
    [record] = audit(root)
    [waived] = record["waived"]  # type: ignore[misc]
    assert waived["waiver"] == "no-canary" and waived["approved_by"] == "dr.who"
    assert waived["justification"] == "No canary capacity."
