"""`modelspec monitor`: exit 0 without drift, exit 1 naming the drifted feature, the retrain trigger written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from fakes import passing_validate_data
from recorded_state import record_in_state

from modelspec.cli import cli

DEPLOYMENT = "biopsy-classifier-prod"



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example project with the classifier built and deployed to prod."""
    import modelspec.engine.data_validation as data_validation
    from modelspec.compile import load_graph
    from modelspec.engine.local import LocalEngine
    from modelspec.examples.scaffold import init_project
    from modelspec.project import load_project

    monkeypatch.setattr(
        data_validation, "validate_data", passing_validate_data
    )
    root = tmp_path / "example"
    init_project(root)
    loaded, _ = load_project(root)
    assert loaded is not None
    graph, _ = load_graph(loaded)
    engine = LocalEngine(loaded, graph)
    for address in ("model.biopsy-malignancy-classifier", f"deployment.{DEPLOYMENT}"):
        resource = graph.get(address)
        assert resource is not None
        record_in_state(root, {address: engine.build(resource, None)})  # as apply records it
    return root


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), "monitor", *args])


def test_the_reference_data_shows_no_drift(project: Path) -> None:
    result = run(project, DEPLOYMENT, "--current", str(project / "data" / "breast_cancer.csv"))
    assert result.exit_code == 0, result.output
    assert "No breach." in result.output
    assert not (project / ".modelspec" / "triggers.json").exists()


def test_drift_exits_1_names_the_feature_and_marks_the_model(project: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(project / "data" / "breast_cancer.csv")
    frame["mean_texture"] = frame["mean_texture"] + 8
    frame.to_csv(tmp_path / "today.csv", index=False)
    result = run(project, DEPLOYMENT, "--current", str(tmp_path / "today.csv"), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [f["feature"] for f in report["features"] if f["breached"]] == ["mean_texture"]
    assert report["breaches"][0].startswith("mean_texture psi ")
    triggers = json.loads((project / ".modelspec" / "triggers.json").read_text())
    reason = triggers["model.biopsy-malignancy-classifier"]["reason"]
    assert reason.startswith(f"drift breach on deployment.{DEPLOYMENT}: mean_texture psi ")
    assert "marked for retraining" in result.stderr


def test_html_and_text_formats(project: Path) -> None:
    current = str(project / "data" / "breast_cancer.csv")
    assert run(project, DEPLOYMENT, "--current", current, "--format", "html").output.startswith(
        "<!DOCTYPE html>"
    )
    text = run(project, DEPLOYMENT, "--current", current).output
    assert "mean_radius" in text and "build 1.0.0+1" in text


def test_user_errors_are_one_line(project: Path, tmp_path: Path) -> None:
    result = run(project, "nope", "--current", str(project / "data" / "breast_cancer.csv"))
    assert result.exit_code == 1 and "no Deployment named 'nope'" in result.output
    result = run(project, DEPLOYMENT, "--current", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1 and "does not exist" in result.output
    assert "Traceback" not in result.output
