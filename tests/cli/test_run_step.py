"""`modelspec run-step`: the four steps through a shared work directory, and batch scoring."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from fakes import passing_validate_data
from recorded_state import record_in_state

from modelspec.cli import cli

MODEL = "diabetes-progression-regressor"



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example project; data validation passes without Great Expectations (tested on its own)."""
    import modelspec.engine.data_validation as data_validation
    from modelspec.examples.scaffold import init_project

    monkeypatch.setattr(
        data_validation, "validate_data", passing_validate_data
    )
    root = tmp_path / "example"
    init_project(root)
    return root


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), "run-step", *args])


def test_the_four_steps_register_a_build(project: Path, tmp_path: Path) -> None:
    work = tmp_path / "shared-volume"
    outputs = []
    for step in ("validate-data", "train", "evaluate", "register"):
        result = run(project, step, "--model", MODEL, "--workdir", str(work))
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert "data valid (442 rows" in outputs[0]
    assert "r2 0.4" in outputs[2] and "meets the gate" in outputs[2]
    assert f"registered 2.0.1+1 at .modelspec/registry/{MODEL}/2.0.1+1" in outputs[3]
    build = json.loads((work / "build.json").read_text())
    assert build["build"] == "2.0.1+1"
    assert (project / ".modelspec" / "registry" / MODEL / "2.0.1+1" / "manifest.json").is_file()


def test_steps_use_the_default_workdir(project: Path) -> None:
    assert run(project, "validate-data", "--model", MODEL).exit_code == 0
    assert (project / ".modelspec" / "work" / MODEL / "validation.json").is_file()


def test_a_failed_gate_exits_1_with_the_message(project: Path) -> None:
    spec = project / "specs" / "models" / f"{MODEL}.yaml"
    spec.write_text(spec.read_text().replace("{name: r2, min: 0.35}", "{name: r2, min: 0.9}"))
    for step in ("validate-data", "train"):
        assert run(project, step, "--model", MODEL).exit_code == 0
    result = run(project, "evaluate", "--model", MODEL)
    assert result.exit_code == 1
    assert "is below the gate 0.9" in result.output and "Traceback" not in result.output
    assert run(project, "register", "--model", MODEL).exit_code == 1
    assert not (project / ".modelspec" / "registry" / MODEL).exists()


def test_out_of_order_and_unknown_names_are_errors(project: Path) -> None:
    result = run(project, "evaluate", "--model", MODEL)
    assert result.exit_code == 1 and "run the train step first" in result.output
    result = run(project, "train", "--model", "nope")
    assert result.exit_code == 1 and "no Model named 'nope'" in result.output
    result = run(project, "train")
    assert result.exit_code == 1 and "train needs --model NAME" in result.output
    result = run(project, "score")
    assert result.exit_code == 1 and "score needs --deployment NAME" in result.output


def test_score_predicts_with_the_targets_build(project: Path, tmp_path: Path) -> None:
    from modelspec.compile import load_graph
    from modelspec.engine.local import LocalEngine
    from modelspec.project import load_project

    result = run(project, "score", "--deployment", "diabetes-progression-batch")
    assert result.exit_code == 1 and "has no deployed build yet" in result.output
    loaded, _ = load_project(project)
    assert loaded is not None
    graph, _ = load_graph(loaded)
    engine = LocalEngine(loaded, graph)
    for address in (f"model.{MODEL}", "deployment.diabetes-progression-batch"):
        resource = graph.get(address)
        assert resource is not None
        record_in_state(project, {address: engine.build(resource, None)})  # as apply records it
    rows = pd.read_csv(project / "data" / "diabetes.csv").drop(columns=["progression"]).head(25)
    rows.to_csv(tmp_path / "in.csv", index=False)
    result = run(
        project,
        "score",
        "--deployment",
        "diabetes-progression-batch",
        "--input",
        str(tmp_path / "in.csv"),
        "--output",
        str(tmp_path / "out.csv"),
    )
    assert result.exit_code == 0, result.output
    assert "scored 25 rows with 2.0.1+1" in result.output
    scored = pd.read_csv(tmp_path / "out.csv")
    assert list(scored.columns) == [*rows.columns, "prediction"]
    assert scored["prediction"].between(0, 400).all()
    default = run(project, "score", "--deployment", "diabetes-progression-batch")
    assert default.exit_code == 0
    assert (
        len(pd.read_csv(project / ".modelspec" / "scores" / "diabetes-progression-batch.csv"))
        == 442
    )
