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


def _registered(project: Path) -> Path:
    """The regressor's build registered by the local engine, with nothing recorded in state."""
    from modelspec.compile import load_graph
    from modelspec.engine.local import LocalEngine
    from modelspec.project import load_project

    loaded, _ = load_project(project)
    assert loaded is not None
    graph, _ = load_graph(loaded)
    resource = graph.get(f"model.{MODEL}")
    assert resource is not None
    LocalEngine(loaded, graph).build(resource, None)
    return project / ".modelspec" / "registry" / MODEL / "2.0.1+1"


def _digest(build: Path) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256((build / "manifest.json").read_bytes()).hexdigest()


def test_score_in_a_pod_verifies_the_named_build_and_keeps_each_run(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the CronJob runs it: the build and its manifest digest from the environment, no state,
    the output a directory that gets <deployment>/<build>/scores-<UTC time>.csv per run."""
    from datetime import UTC, datetime

    import modelspec.clock

    build = _registered(project)
    monkeypatch.setattr(
        modelspec.clock, "utc_now", lambda: datetime(2026, 12, 7, 3, 0, 5, tzinfo=UTC)
    )
    scores = tmp_path / "scores"
    scores.mkdir()
    env = {"MODELSPEC_BUILD_DIR": str(build), "MODELSPEC_BUILD_DIGEST": _digest(build)}
    args = ["-C", str(project), "run-step", "score", "--deployment", "diabetes-progression-batch"]
    outputs = []
    for _ in range(2):
        result = CliRunner().invoke(cli, [*args, "--output", str(scores)], env=env)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    folder = scores / "diabetes-progression-batch" / "2.0.1+1"
    first, second = folder / "scores-20261207T030005Z.csv", folder / "scores-20261207T030005Z-2.csv"
    assert sorted(folder.iterdir()) == [second, first]
    assert f"scored 442 rows with 2.0.1+1: {first}" in outputs[0]
    assert f"scored 442 rows with 2.0.1+1: {second}" in outputs[1]
    assert len(pd.read_csv(first)) == 442
    assert not (project / ".modelspec" / "scores").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("digest", "manifest.json does not match the build digest"),
        ("model", "serves model diabetes-progression-regressor; nothing is scored"),
        ("no digest", "state has no record of model diabetes-progression-regressor"),
    ],
)
def test_score_refuses_a_build_nothing_vouches_for(
    project: Path, tmp_path: Path, change: str, message: str
) -> None:
    import shutil

    build = _registered(project)
    digest = _digest(build)
    if change == "digest":
        digest = "sha256:" + "0" * 64
    elif change == "model":  # a build of the other model, whole and with its own digest
        other = tmp_path / "registry" / "biopsy-malignancy-classifier" / "2.0.1+1"
        shutil.copytree(build, other)
        manifest = json.loads((other / "manifest.json").read_text())
        manifest["model"] = "biopsy-malignancy-classifier"
        (other / "manifest.json").write_text(json.dumps(manifest))
        build, digest = other, _digest(other)
    env = {"MODELSPEC_BUILD_DIR": str(build), "MODELSPEC_BUILD_DIGEST": digest}
    if change == "no digest":
        env = {"MODELSPEC_BUILD_DIR": str(build)}
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli,
        ["-C", str(project), "run-step", "score", "--deployment", "diabetes-progression-batch",
         "--output", str(out)],
        env=env,
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = [line for line in result.output.splitlines() if line.strip()]
    assert line.startswith("Error: ") and message in line, line
    assert not out.exists()
