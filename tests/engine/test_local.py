"""The local engine: the example's models validate, train, evaluate and register; gates stop a build."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from modelspec.engine.local import LocalEngine
from modelspec.errors import EngineError
from modelspec.registry.local import get_alias
from modelspec.registry.verify import BuildRecord, open_build

Build = Callable[[str], dict[str, Any]]
Example = Any  # the `example` fixture (tests/support/engine_fixtures.py)
CLASSIFIER = "biopsy-malignancy-classifier"
REGRESSOR = "diabetes-progression-regressor"


def test_example_models_train_evaluate_and_register(example: Example, built: Build) -> None:
    classifier = built(CLASSIFIER)
    regressor = built(REGRESSOR)

    assert classifier["build"] == "1.0.0+1" and classifier["version"] == "1.0.0"
    assert classifier["metrics"]["roc_auc"] >= 0.95  # the spec's gate
    assert set(classifier["metrics"]) == {
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "log_loss",
        "brier_score",
    }
    assert regressor["build"] == "2.0.1+1"
    assert set(regressor["metrics"]) == {"r2", "mae", "rmse", "mape"}
    assert regressor["metrics"]["r2"] >= 0.35
    build_dir = example.root / classifier["registry_path"]
    assert sorted(p.name for p in build_dir.iterdir()) == [
        "MLmodel",  # MLflow's model format, and MLServer's settings, for the real runtimes
        "conda.yaml",
        "data.json",
        "input_example.json",
        "manifest.json",
        "metrics.json",
        "model-settings.json",
        "model.joblib",
        "model.skops",
        "python_env.yaml",
        "requirements.txt",
        "serving_input_example.json",
        "signature.json",
        "versions.json",
    ]
    signature = json.loads((build_dir / "signature.json").read_text())
    assert signature["inputs"][0] == {"name": "mean_radius", "type": "float", "kind": "numeric"}
    assert signature["classes"] == [False, True]
    data = json.loads((build_dir / "data.json").read_text())
    assert data["sha256"] == classifier["data_digest"]
    radius = data["features"]["mean_radius"]
    assert sum(radius["bin_counts"]) == data["row_count"] == 569
    assert len(radius["sample"]) == 569
    site = json.loads((example.root / regressor["registry_path"] / "data.json").read_text())
    assert set(site["features"]["site"]["frequencies"]) == {
        "north-clinic",
        "central-hospital",
        "south-clinic",
    }
    versions = json.loads((build_dir / "versions.json").read_text())
    assert {"python", "sklearn", "numpy", "pandas"} <= set(versions)
    # the outputs for state record every file's sha256: what serve and monitor verify against
    recorded = classifier["builds"]["1.0.0+1"]
    assert sorted(recorded) == sorted(p.name for p in build_dir.iterdir())
    assert recorded["model.joblib"] == classifier["artifact_digest"]
    model = open_build(build_dir, BuildRecord(CLASSIFIER, "1.0.0+1", recorded)).estimator()
    assert hasattr(model, "predict_proba")
    assert versions["skops"] != "unknown"


def test_a_new_build_keeps_the_builds_recorded_before(example: Example) -> None:
    from modelspec.state import ResourceState

    graph = example.graph()
    resource = graph.get(f"model.{REGRESSOR}")
    assert resource is not None
    engine = LocalEngine(example.project, graph)
    first = engine.build(resource, None)
    previous = ResourceState(
        resource.address, "Model", REGRESSOR, resource.digest, {}, first, {}
    )
    second = engine.build(resource, previous)
    assert second["build"] == "2.0.1+2"
    assert sorted(second["builds"]) == ["2.0.1+1", "2.0.1+2"]  # a rollback may serve the first
    assert second["builds"]["2.0.1+1"] == first["builds"]["2.0.1+1"]


def test_same_spec_and_data_give_the_same_metrics_as_a_new_build(built: Build) -> None:
    first = built(REGRESSOR)
    second = built(REGRESSOR)
    assert second["build"] == "2.0.1+2"
    assert first["metrics"] == second["metrics"]
    assert first["artifact_digest"] == second["artifact_digest"]
    assert first["data_digest"] == second["data_digest"]


def test_an_unreachable_gate_stops_the_model_and_registers_nothing(
    example: Example, built: Build
) -> None:
    example.edit(
        "specs/models/biopsy-malignancy-classifier.yaml",
        "{name: roc_auc, min: 0.95}",
        "{name: roc_auc, min: 0.9999}",
    )
    with pytest.raises(EngineError) as err:
        built(CLASSIFIER)
    message = str(err.value)
    assert "roc_auc 0.97" in message and "is below the gate 0.9999" in message
    assert "brier_score" not in message  # only failed gates are named
    assert not (example.project.registry_dir / CLASSIFIER).exists() or not [
        p
        for p in (example.project.registry_dir / CLASSIFIER).iterdir()
        if not p.name.startswith(".")
    ]


def test_a_max_gate_names_value_and_threshold(example: Example, built: Build) -> None:
    example.edit(
        "specs/models/diabetes-progression-regressor.yaml",
        "{name: rmse, max: 60}",
        "{name: rmse, max: 10}",
    )
    with pytest.raises(EngineError, match=r"rmse 54\.\d+ is above the gate 10"):
        built(REGRESSOR)


@dataclass
class FailingResult:
    success: bool
    checks: list[Any]
    row_count: int


@dataclass
class FailingCheck:
    column: str | None
    rule: str
    expectation: str
    success: bool
    unexpected_count: int
    unexpected_sample: list[Any]


def test_a_failing_contract_stops_the_model_before_training(
    example: Example, built: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    import modelspec.engine.data_validation as module

    def failing(contract: Any, data: Any) -> FailingResult:
        checks = [
            FailingCheck(
                "mean_radius", "max", "expect_column_values_to_be_between", False, 2, [31.5, 40.0]
            ),
            FailingCheck("patient_id", "unique", "expect_column_values_to_be_unique", True, 0, []),
        ]
        return FailingResult(False, checks, len(data))

    monkeypatch.setattr(module, "validate_data", failing)
    with pytest.raises(EngineError) as err:
        built(CLASSIFIER)
    message = str(err.value)
    assert "fails contract breast-cancer-biopsies" in message
    assert "mean_radius max" in message and "2 unexpected" in message and "31.5" in message
    assert "patient_id" not in message
    assert not (example.project.registry_dir / CLASSIFIER).exists()


def test_validation_runs_on_the_training_data(built: Build, fast_validation: list[str]) -> None:
    built(CLASSIFIER)
    assert fast_validation == ["breast-cancer-biopsies"]


def test_a_deployment_moves_its_targets_alias_to_the_build_state_records(
    example: Example, built: Build
) -> None:
    from recorded_state import record_in_state

    first = built(CLASSIFIER)
    record_in_state(example.root, {f"model.{CLASSIFIER}": first})  # as apply records it
    built(CLASSIFIER)  # a newer folder on disk that no apply recorded is not deployed
    graph = example.graph()
    engine = LocalEngine(example.project, graph)
    deployment = graph.get("deployment.biopsy-classifier-prod")
    assert deployment is not None
    outputs = engine.build(deployment, None)
    assert outputs == {
        "model_build": "1.0.0+1",
        "model_build_digest": first["builds"]["1.0.0+1"]["manifest.json"],
        "sklearn_version": first["sklearn_version"],
    }
    assert get_alias(example.project.registry_dir, CLASSIFIER, "prod") == "1.0.0+1"
    aliases = json.loads((example.project.registry_dir / CLASSIFIER / "aliases.json").read_text())
    assert aliases == {"prod": "1.0.0+1"}


def test_a_deployment_without_a_build_is_an_engine_error(example: Example, built: Build) -> None:
    built(CLASSIFIER)  # on disk, but not recorded by an apply
    graph = example.graph()
    deployment = graph.get("deployment.biopsy-classifier-staging")
    assert deployment is not None
    with pytest.raises(EngineError, match="has no build recorded in state; apply the model first"):
        LocalEngine(example.project, graph).build(deployment, None)


def test_unknown_estimator_params_are_an_engine_error(example: Example, built: Build) -> None:
    example.edit(
        "specs/models/diabetes-progression-regressor.yaml", "{alpha: 1.0}", "{alpha: 1.0, depth: 3}"
    )
    with pytest.raises(EngineError, match="takes no parameter depth"):
        built(REGRESSOR)


def test_other_kinds_build_nothing(example: Example) -> None:
    graph = example.graph()
    target = graph.get("target.prod")
    assert target is not None
    assert LocalEngine(example.project, graph).build(target, None) == {}


def test_importing_the_commands_and_steps_loads_no_heavy_library() -> None:
    import subprocess
    import sys

    modules = [
        "modelspec.cli.run_step",
        "modelspec.cli.monitor",
        "modelspec.engine.local",
        "modelspec.engine.steps",
        "modelspec.monitoring.monitor",
        "modelspec.registry.local",
        "modelspec.monitoring.drift",
        "modelspec.learn.train",
        "modelspec.learn.evaluate",
        "modelspec.state.triggers",
        "modelspec.generate.model_card_json",
    ]
    code = (
        f"import sys\nfor m in {modules!r}: __import__(m)\n"
        "print(sorted(m for m in ('sklearn', 'pandas', 'scipy', 'numpy', 'joblib', 'great_expectations')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
