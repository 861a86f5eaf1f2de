"""`validate --format sarif` as code scanning takes it: a project in a subdirectory of its git
repository, checked by Microsoft's SARIF multitool with GitHub's ingestion rules.

The multitool comes from tests/tools/package.json (`npm ci --prefix tests/tools`); without
tests/tools/node_modules the multitool test skips, saying so. Its config disables the one rule
that fetches URIs over the network (SARIF2006), as the tests run offline.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hostile import run

from modelspec.examples.scaffold import project_files, write_files

TOOLS = Path(__file__).parents[1] / "tools"
MULTITOOL = TOOLS / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
MODEL = "specs/models/biopsy-malignancy-classifier.yaml"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository whose modelspec project lives in `ml/`, with one broken spec."""
    top = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    write_files(top / "ml", project_files())
    model = top / "ml" / MODEL
    model.write_text(
        model.read_text(encoding="utf-8").replace("task: classification", "task: telepathy"),
        encoding="utf-8",
    )
    return top


def _sarif(project: Path) -> dict[str, Any]:
    code, out, err = run(project, "validate", "--format", "sarif")
    assert code == 1, out + err
    document: dict[str, Any] = json.loads(out)
    return document


def _uris(log: dict[str, Any]) -> list[str]:
    return [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]


def test_uris_start_at_the_repository_root(repository: Path) -> None:
    log = _sarif(repository / "ml")
    assert "ml/" + MODEL in _uris(log)
    assert all(uri.startswith("ml/specs/") for uri in _uris(log))
    # no path of this machine: the upload must work from any checkout
    assert str(repository) not in json.dumps(log) and "file:" not in json.dumps(log)


def test_a_project_outside_git_names_files_from_its_own_root(tmp_path: Path) -> None:
    write_files(tmp_path / "alone", project_files())
    code, out, _ = run(tmp_path / "alone", "validate", "--format", "sarif")
    assert code == 0
    assert all(uri.startswith("specs/") for uri in _uris(json.loads(out)))


def test_github_annotations_name_the_repository_path(repository: Path) -> None:
    code, out, _ = run(repository / "ml", "validate", "--format", "github")
    assert code == 1
    assert f"::error file=ml/{MODEL},line=11," in out


def test_fingerprints_survive_an_edit_above_the_finding(repository: Path) -> None:
    before = _sarif(repository / "ml")["runs"][0]["results"]
    model = repository / "ml" / MODEL
    text = model.read_text(encoding="utf-8")
    edited = text.replace("\nspec:\n", "\n# a comment\n# and another\nspec:\n", 1)
    assert edited != text
    model.write_text(edited, encoding="utf-8")
    after = _sarif(repository / "ml")["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]
    lines = [_line_of_task(results) for results in (before, after)]
    assert lines[1] == lines[0] + 2


def _line_of_task(results: list[dict[str, Any]]) -> int:
    (task,) = [r for r in results if r["ruleId"] == "MS205"]
    line: int = task["locations"][0]["physicalLocation"]["region"]["startLine"]
    return line


@pytest.mark.skipif(
    not MULTITOOL.exists(),
    reason="Microsoft's SARIF multitool is not installed: run `npm ci --prefix tests/tools`",
)
def test_github_ingestion_rules_accept_the_log(repository: Path, tmp_path: Path) -> None:
    sarif = tmp_path / "modelspec.sarif"
    sarif.write_text(json.dumps(_sarif(repository / "ml")), encoding="utf-8")
    report = tmp_path / "validation.sarif"
    done = subprocess.run(
        [
            str(MULTITOOL), "validate", str(sarif), "--rule-kind", "Sarif;Gh",
            "--level", "Error;Warning;Note", "--config", str(TOOLS / "sarif-multitool.json"),
            "--output", str(report), "--log", "ForceOverwrite",
        ],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(report.read_text(encoding="utf-8-sig"))["runs"][0]["results"]
    rules = {r["ruleId"] for r in results}
    # the GitHub rules ran (their ids are in the tool's rule list) and found nothing
    assert not [r for r in results if r.get("level", "warning") in {"error", "warning"}], results
    assert not {rule for rule in rules if rule.startswith("GH")}, rules
    # what is left are SARIF's advisory notes (message ids, snippets, ...), none about GitHub
    assert rules <= {"SARIF2002", "SARIF2003", "SARIF2010", "SARIF2011", "SARIF2012"}, rules
