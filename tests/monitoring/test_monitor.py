"""Monitoring a deployment against its deployed build: drift, performance and what a breach records."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fakes import passing_validate_data
from recorded_state import record_in_state

from modelspec.engine.local import LocalEngine
from modelspec.errors import EngineError
from modelspec.monitoring import FORMATS
from modelspec.monitoring.monitor import act_on_breach, monitor
from modelspec.state.triggers import read_trigger_records, read_triggers

Example = Any  # the `example` fixture (tests/support/engine_fixtures.py)
DEPLOYMENT = "biopsy-classifier-prod"
MODEL_SPEC = "specs/models/biopsy-malignancy-classifier.yaml"
DEPLOYMENT_SPEC = "specs/deployments/biopsy-malignancy-classifier.yaml"


@dataclass(frozen=True)
class Built:
    registry: Path
    outputs: dict[str, Any]  # the second build's, recording both builds' digests


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The example classifier built twice (1.0.0+1, 1.0.0+2), once for the whole module."""
    import modelspec.engine.data_validation as data_validation
    from modelspec.compile import load_graph
    from modelspec.examples.scaffold import init_project
    from modelspec.project import load_project
    from modelspec.state import ResourceState

    root = tmp_path_factory.mktemp("built") / "example"
    init_project(root)
    project, _ = load_project(root)
    assert project is not None
    graph, _ = load_graph(project)
    model = graph.get("model.biopsy-malignancy-classifier")
    assert model is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data_validation, "validate_data", passing_validate_data)
        engine = LocalEngine(project, graph)
        first = engine.build(model, None)
        previous = ResourceState(model.address, "Model", model.name, model.digest, {}, first, {})
        second = engine.build(model, previous)
    return Built(project.registry_dir, second)


def _deploy(example: Example, built: Built, first: str | None = None) -> None:
    """The builds copied into the example's registry and recorded in state as apply would, and
    prod's alias moved to the latest one (from first, when given)."""
    from modelspec.registry.local import set_alias

    shutil.copytree(built.registry, example.project.registry_dir, dirs_exist_ok=True)
    record_in_state(example.root, {"model.biopsy-malignancy-classifier": built.outputs})
    if first is not None:
        set_alias(example.project.registry_dir, "biopsy-malignancy-classifier", "prod", first)
        record_in_state(example.root, {f"deployment.{DEPLOYMENT}": {"model_build": first}})
    graph = example.graph()
    deployment = graph.get(f"deployment.{DEPLOYMENT}")
    assert deployment is not None
    outputs = LocalEngine(example.project, graph).build(deployment, None)
    record_in_state(example.root, {f"deployment.{DEPLOYMENT}": outputs})


def _shifted(example: Example, tmp_path: Path) -> Path:
    frame = pd.read_csv(example.root / "data" / "breast_cancer.csv")
    frame["mean_radius"] = frame["mean_radius"] * 1.6
    path = tmp_path / "current.csv"
    frame.to_csv(path, index=False)
    return path


def test_the_training_data_shows_no_drift(example: Example, registry: Built) -> None:
    _deploy(example, registry)
    report = monitor(
        example.project, example.graph(), DEPLOYMENT, example.root / "data" / "breast_cancer.csv"
    )
    assert report.build == "1.0.0+2" and report.reference == "build 1.0.0+2"
    assert len(report.features) == 10
    assert all(
        f.value == pytest.approx(0.0, abs=1e-9) and f.method == "psi" for f in report.features
    )
    assert report.performance is not None and report.performance.metric == "roc_auc"
    assert not report.performance.breached
    assert not report.breached and report.breaches == []
    assert act_on_breach(example.project, report) is None
    assert read_triggers(example.project) == {}


def test_a_shifted_feature_is_a_breach_that_marks_the_model_for_retraining(
    example: Example, registry: Built, tmp_path: Path
) -> None:
    _deploy(example, registry)
    report = monitor(example.project, example.graph(), DEPLOYMENT, _shifted(example, tmp_path))
    assert report.breached
    drifted = [f.feature for f in report.features if f.breached]
    assert drifted == ["mean_radius"]
    assert report.breaches[0].startswith("mean_radius psi ") and report.breaches[0].endswith(
        "> 0.2"
    )
    said = act_on_breach(example.project, report)
    assert said is not None and "model.biopsy-malignancy-classifier" in said
    triggers = read_triggers(example.project)
    assert list(triggers) == ["model.biopsy-malignancy-classifier"]
    reason = triggers["model.biopsy-malignancy-classifier"]
    assert reason.startswith(f"drift breach on deployment.{DEPLOYMENT}: mean_radius psi ")
    assert (
        read_trigger_records(example.project)["model.biopsy-malignancy-classifier"]["action"]
        == "retrain"
    )


def test_rollback_records_a_trigger_the_engine_acts_on(
    example: Example, registry: Built, tmp_path: Path
) -> None:
    example.edit(DEPLOYMENT_SPEC, "on_breach: retrain", "on_breach: rollback")
    _deploy(example, registry, first="1.0.0+1")  # prod served +1, now serves +2
    report = monitor(example.project, example.graph(), DEPLOYMENT, _shifted(example, tmp_path))
    act_on_breach(example.project, report)
    records = read_trigger_records(example.project)
    assert records[f"deployment.{DEPLOYMENT}"]["action"] == "rollback"
    graph = example.graph()
    deployment = graph.get(f"deployment.{DEPLOYMENT}")
    assert deployment is not None
    outputs = LocalEngine(example.project, graph).build(deployment, None)
    assert outputs["model_build"] == "1.0.0+1" and outputs["rolled_back_from"] == "1.0.0+2"
    state = json.loads((example.root / ".modelspec/state.json").read_text())
    builds = state["resources"]["model.biopsy-malignancy-classifier"]["outputs"]["builds"]
    assert outputs["model_build_digest"] == builds["1.0.0+1"]["manifest.json"]  # the manifests' digest


def test_alert_only_reports(example: Example, registry: Built, tmp_path: Path) -> None:
    example.edit(DEPLOYMENT_SPEC, "on_breach: retrain", "on_breach: alert")
    _deploy(example, registry)
    report = monitor(example.project, example.graph(), DEPLOYMENT, _shifted(example, tmp_path))
    assert report.breached
    assert act_on_breach(example.project, report) is None
    assert read_triggers(example.project) == {}


def test_the_declared_method_and_a_reference_file_are_used(
    example: Example, registry: Built, tmp_path: Path
) -> None:
    example.edit(
        DEPLOYMENT_SPEC,
        "drift: {method: psi, threshold: 0.2}",
        "drift: {method: ks, threshold: 0.1}",
    )
    _deploy(example, registry)
    current = _shifted(example, tmp_path)
    report = monitor(example.project, example.graph(), DEPLOYMENT, current, reference=current)
    assert report.reference == str(current)
    assert {f.method for f in report.features} == {"ks"} and not report.breached


def test_performance_below_its_gate_is_a_breach(
    example: Example, registry: Built, tmp_path: Path
) -> None:
    example.edit(
        DEPLOYMENT_SPEC,
        "performance: {metric: roc_auc, min: 0.93}",
        "performance: {metric: roc_auc, min: 0.999}",
    )
    _deploy(example, registry)
    report = monitor(
        example.project, example.graph(), DEPLOYMENT, example.root / "data" / "breast_cancer.csv"
    )
    assert report.breached and report.breaches == [
        f"roc_auc {report.performance.value:.4g} < 0.999"
    ]  # type: ignore[union-attr]
    act_on_breach(example.project, report)
    assert read_triggers(example.project)["model.biopsy-malignancy-classifier"].startswith(
        "performance breach"
    )


def test_unlabelled_data_skips_performance_and_says_so(
    example: Example, registry: Built, tmp_path: Path
) -> None:
    _deploy(example, registry)
    frame = pd.read_csv(example.root / "data" / "breast_cancer.csv").drop(columns=["malignant"])
    frame.to_csv(tmp_path / "unlabelled.csv", index=False)
    report = monitor(example.project, example.graph(), DEPLOYMENT, tmp_path / "unlabelled.csv")
    assert report.performance is None
    assert report.notes == ["performance not checked: the current data has no malignant column"]


def test_without_a_deployed_build_monitor_asks_for_apply_or_a_reference(example: Example) -> None:
    with pytest.raises(EngineError, match="has no deployed build on target prod"):
        monitor(
            example.project,
            example.graph(),
            DEPLOYMENT,
            example.root / "data" / "breast_cancer.csv",
        )
    with pytest.raises(EngineError, match="no Deployment named 'nope'"):
        monitor(
            example.project, example.graph(), "nope", example.root / "data" / "breast_cancer.csv"
        )


def test_renderers(example: Example, registry: Built, tmp_path: Path) -> None:
    _deploy(example, registry)
    report = monitor(example.project, example.graph(), DEPLOYMENT, _shifted(example, tmp_path))
    text = FORMATS.render("text", report)
    assert "mean_radius" in text and "DRIFT" in text and "Breach (retrain)" in text
    data = json.loads(FORMATS.render("json", report))
    assert data["format_version"] == "1" and data["breached"] is True
    assert [f["feature"] for f in data["features"] if f["breached"]] == ["mean_radius"]
    html = FORMATS.render("html", report)
    assert html.startswith("<!DOCTYPE html>") and "<td>mean_radius</td>" in html


def test_an_altered_reference_is_refused_not_compared_against(
    example: Example, registry: Built
) -> None:
    """A data.json that would hide drift (no features to compare) does not pass for the build's."""
    _deploy(example, registry)
    builds = example.project.registry_dir / "biopsy-malignancy-classifier"
    (builds / "1.0.0+2" / "data.json").write_text('{"features": {}, "row_count": 0}\n')
    with pytest.raises(EngineError, match=r"data\.json does not match its manifest"):
        monitor(
            example.project, example.graph(), DEPLOYMENT, example.root / "data" / "breast_cancer.csv"
        )


def test_monitor_refuses_a_build_state_does_not_vouch_for(example: Example, registry: Built) -> None:
    """A state from before build digests were recorded: monitor says to retrain, loads nothing."""
    from dataclasses import replace

    from modelspec.state import LocalFileBackend

    _deploy(example, registry)
    backend = LocalFileBackend(example.project.state_path)
    state = backend.read()
    rs = state.resources["model.biopsy-malignancy-classifier"]
    backend.write(state.with_resource(replace(rs, outputs={"build": "1.0.0+2"})))
    with pytest.raises(EngineError, match=r"state records no digests for build 1\.0\.0\+2"):
        monitor(
            example.project, example.graph(), DEPLOYMENT, example.root / "data" / "breast_cancer.csv"
        )
