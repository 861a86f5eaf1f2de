"""`modelspec report` end to end on the example project."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from modelspec.cli import cli


@pytest.fixture
def root(example_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # the report is about specs, state and audit, not training: the example ships no
    # datasets, so apply renders pipelines (kubeflow) instead of training with them
    config = example_project / "modelspec.yaml"
    text = config.read_text(encoding="utf-8")
    assert "engine: local" in text
    config.write_text(text.replace("engine: local", "engine: kubeflow"), encoding="utf-8")
    monkeypatch.chdir(example_project)
    return example_project


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--no-color", *args], catch_exceptions=False)


def test_markdown_to_stdout_by_default(root: Path) -> None:
    result = run("report", "--today", "2026-11-27")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Compliance report: ")
    assert "| biopsy-malignancy-classifier | oncology-ml | 1.0.0 (not applied yet) | high" in out
    assert "### protected-deployments-have-evaluation-gates" in out
    assert "| biopsy-prod-single-replica | protected-targets-roll-out-gradually / failover-replicas" in out
    assert "| dr.amara.okafor | 2027-06-30 | 215 | ACTIVE |" in out
    assert "EU AI Act Annex IV technical documentation" in out
    assert result.stderr == ""


def test_html_to_a_file_is_chosen_by_its_suffix(root: Path) -> None:
    result = run("report", "--out", "out/report.html")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Wrote the compliance report to out/report.html." in result.stderr
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Model inventory" in html


def test_format_wins_over_the_suffix(root: Path) -> None:
    assert run("report", "--format", "markdown", "--out", "r.html").exit_code == 0
    assert (root / "r.html").read_text(encoding="utf-8").startswith("# Compliance report")
    assert run("report", "--format", "html").stdout.startswith("<!DOCTYPE html>")


def test_applied_versions_and_history_appear_after_apply(root: Path) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    out = run("report", "--today", "2026-11-27").stdout
    assert "| biopsy-malignancy-classifier | oncology-ml | 1.0.0 | high" in out
    assert "prod (protected): version 1.0.0; staging: version 1.0.0" in out
    assert "## Audit history" in out and "| apply | OK | create " in out


def test_a_bad_day_is_a_usage_error(root: Path) -> None:
    result = run("report", "--today", "tomorrow")
    assert result.exit_code == 2 and "is not a date" in result.stderr


def test_specs_with_errors_still_report_and_say_so(root: Path) -> None:
    approval = next((root / "specs" / "approvals").glob("*.yaml"))
    approval.unlink()  # the high-risk model loses its compliance approval: hard-mandatory
    result = run("report")
    assert result.exit_code == 0
    assert "Note: the specs have 1 error(s)" in result.stderr
    assert "| high-risk-models-overseen / compliance-approved |" in result.stdout
    assert "| FAIL |" in result.stdout
