"""`modelspec diff --base GITREF` on a git repository made in tmp_path: breaking changes need a major bump."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from modelspec.cli import cli
from modelspec.contracts.render_markdown import render as render_markdown
from modelspec.contracts.semantic import DiffReport, PathChange, ResourceChange

CONTRACT = "specs/contracts/breast-cancer-biopsies.yaml"
DIABETES = "specs/contracts/diabetes-cohort.yaml"
MODEL = "specs/models/biopsy-malignancy-classifier.yaml"
TEXTURE = "    - {name: mean_texture, type: float, required: true, min: 5, max: 45, classification: confidential}\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from modelspec.examples.scaffold import init_project

    root = tmp_path / "repo"
    init_project(root)
    for key, value in {
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path),
    }.items():
        monkeypatch.setenv(key, value)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "example"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    monkeypatch.chdir(root)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def diff(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diff", "--base", "main", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def as_json() -> tuple[int, dict[str, Any]]:
    code, out, _ = diff("--format", "json")
    return code, json.loads(out)


def test_no_changes(repo: Path) -> None:
    code, out, _ = diff()
    assert (code, out) == (0, "No spec changes since main.\n")
    assert as_json() == (0, {"format_version": "1", "base": "main", "changes": [], "errors": []})


def test_removed_column_without_major_bump_is_an_error_naming_the_models(repo: Path) -> None:
    edit(repo, CONTRACT, TEXTURE, "")
    code, out, err = diff()
    assert code == 1
    assert "BREAKING: column mean_texture removed" in out
    assert f"{CONTRACT}:12:12: error[MS502]" in err
    assert "read by model.biopsy-malignancy-classifier (feature mean_texture)" in err
    code, document = as_json()
    errors = document["errors"]
    assert isinstance(errors, list)
    ours = [e for e in errors if e["code"] == "MS502"]
    assert [(e["file"], e["line"], e["path"]) for e in ours] == [(CONTRACT, 12, "/spec/version")]


def test_removed_column_with_major_bump_passes_listed_as_breaking(repo: Path) -> None:
    edit(repo, CONTRACT, TEXTURE, "")
    edit(repo, CONTRACT, "version: 1.0.0", "version: 2.0.0")
    edit(repo, MODEL, "      - mean_texture\n", "")
    edit(repo, MODEL, "version: 1.0.0", "version: 1.1.0")
    code, document = as_json()
    assert code == 0, document["errors"]
    changes = {c["address"]: c for c in document["changes"]}
    contract = changes["datacontract.breast-cancer-biopsies"]
    assert contract["breaking"] is True and contract["change"] == "changed"
    removed = [d for d in contract["diffs"] if d["breaking"]]
    assert [(d["path"], d["after"]) for d in removed] == [("/spec/columns/2", None)]
    assert changes["model.biopsy-malignancy-classifier"]["breaking"] is False


def test_optional_column_added_is_not_breaking(repo: Path) -> None:
    edit(repo, DIABETES, "  quality:", "    - {name: notes, type: string}\n  quality:")
    code, document = as_json()
    assert code == 0
    (change,) = document["changes"]
    assert change["breaking"] is False
    assert change["diffs"][0]["reason"] == "column notes added as optional"


def test_widened_bounds_are_not_breaking(repo: Path) -> None:
    edit(repo, DIABETES, "{name: progression, type: float, required: true, min: 0, max: 400}",
         "{name: progression, type: float, required: true, min: -10, max: 500}")
    code, out, _ = diff()
    assert code == 0
    assert "compatible: column progression: min lowered from 0 to -10 (range widened)" in out


def test_narrowed_allowed_values_are_breaking(repo: Path) -> None:
    edit(repo, DIABETES, "allowed: [north-clinic, central-hospital, south-clinic]",
         "allowed: [north-clinic, central-hospital]")
    code, out, _err = diff("--format", "markdown")
    assert code == 1
    assert out.startswith("### modelspec diff against `main`")
    assert "allowed values narrowed: south-clinic no longer allowed" in out
    assert "model.diabetes-progression-regressor (feature site)" in out


def test_bad_ref_is_a_clear_error(repo: Path) -> None:
    code, out, err = diff_base("no-such-branch")
    assert code == 1 and out == ""
    assert "unknown git ref 'no-such-branch'" in err and "Traceback" not in err


def test_outside_git_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelspec.examples.scaffold import init_project

    root = tmp_path / "plain"
    init_project(root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, _, err = diff_base("main")
    assert code == 1 and "error[MS002]" in err and "not a git repository" in err


def diff_base(ref: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diff", "--base", ref], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_markdown_is_capped_for_a_pr_comment() -> None:
    diffs = tuple(PathChange(f"/spec/x/{i}", "a" * 50, "b" * 50) for i in range(3000))
    report = DiffReport("main", [ResourceChange("model.big", "Model", "changed", diffs)])
    text = render_markdown(report)
    assert len(text) <= 65_536
    assert "Output cut at 65,536 characters" in text
    assert len(render_markdown(report, limit=10_000)) <= 10_000


def test_project_in_a_subdirectory_of_the_repository(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outer = repo.parent / "outer"
    project = outer / "ml"
    project.parent.mkdir()
    repo.rename(project)
    subprocess.run(["rm", "-rf", str(project / ".git")], check=True)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "nested"]):
        subprocess.run(["git", *args], cwd=outer, check=True, capture_output=True)
    monkeypatch.chdir(project)
    edit(project, DIABETES, "allowed: [north-clinic, central-hospital, south-clinic]",
         "allowed: [north-clinic, central-hospital]")
    code, _, err = diff()
    assert code == 1
    assert f"{DIABETES}:12:12: error[MS502]" in err
