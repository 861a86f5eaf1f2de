"""operations.diff: the specs at a git ref against the working tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from modelspec.operations.diff import diff_specs
from modelspec.project import Project, load_project

CONTRACT = "specs/contracts/breast-cancer-biopsies.yaml"


@pytest.fixture
def repo(example_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    for key, value in {
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path),
    }.items():
        monkeypatch.setenv(key, value)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "example"]):
        subprocess.run(["git", *args], cwd=example_project, check=True, capture_output=True)
    project, diags = load_project(example_project)
    assert project is not None, diags
    return project


def test_no_change_since_the_ref_is_an_empty_report(repo: Project) -> None:
    result = diff_specs(repo, "main")
    assert result.report is not None and result.diagnostics == []
    assert result.report.base == "main"
    assert result.report.changes == [] and result.report.errors == []


def test_a_dropped_required_column_is_a_breaking_change(repo: Project) -> None:
    path = repo.root / CONTRACT
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if "name: mean_texture" not in line]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")
    result = diff_specs(repo, "main")
    assert result.report is not None
    changed = {c.address: c for c in result.report.changes}
    assert changed["datacontract.breast-cancer-biopsies"].breaking
    assert result.report.errors, "a breaking change without a major bump is an error"


def test_an_unknown_ref_is_a_diagnostic_not_an_exception(repo: Project) -> None:
    result = diff_specs(repo, "no-such-branch")
    assert result.report is None
    assert [d.code for d in result.diagnostics] == ["MS002"]
    assert "unknown git ref 'no-such-branch'" in result.diagnostics[0].message
