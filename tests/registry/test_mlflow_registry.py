"""The MLflow registry backend against a real `mlflow server`: versions, runs, aliases, verified loading, a server that is down."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes import passing_validate_data
from mlflow_server import MlflowServer, free_port, running_mlflow_server

from modelspec.cli import cli

pytestmark = pytest.mark.slow

CLASSIFIER = "biopsy-malignancy-classifier"
REGRESSOR = "diabetes-progression-regressor"
PROD = "biopsy-classifier-prod"
PINNED_TODAY = "2026-11-27"  # conftest's day: the module-scoped apply runs outside its fixture
PINNED_NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
SECRET = "s3cret-mlflow-password-7f2a"  # MLflow's own credential variable: never written anywhere


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    with running_mlflow_server(tmp_path_factory.mktemp("mlflow")) as running:
        yield running


def _environment(patch: pytest.MonkeyPatch, uri: str) -> None:
    import modelspec.engine.data_validation as data_validation
    from modelspec import clock

    patch.setattr(data_validation, "validate_data", passing_validate_data)  # GX: tested elsewhere
    patch.setattr(clock, "utc_now", lambda: PINNED_NOW)
    patch.setenv("MODELSPEC_TODAY", PINNED_TODAY)
    patch.setenv("MLFLOW_TRACKING_URI", uri)
    patch.setenv("MLFLOW_TRACKING_PASSWORD", SECRET)
    patch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")


def run(root: Path, uri: str, *args: str) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        _environment(patch, uri)
        return CliRunner().invoke(cli, ["-C", str(root), *args])


@pytest.fixture(scope="module")
def applied(server: MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with `registry: {backend: mlflow}`, applied once against the server."""
    from modelspec.examples.scaffold import init_project

    root = tmp_path_factory.mktemp("applied") / "example"
    init_project(root)
    config = root / "modelspec.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("registry: {path: .modelspec/registry}", "registry: {backend: mlflow}"),
        encoding="utf-8",
    )
    result = run(root, server.uri, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def client(server: MlflowServer) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=server.uri, registry_uri=server.uri)


def _outputs(root: Path, uri: str, address: str) -> dict[str, Any]:
    result = run(root, uri, "state", "show", address, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    outputs = document.get("outputs", document.get("resource", {}).get("outputs"))
    assert isinstance(outputs, dict), document
    return outputs


def test_each_build_is_an_mlflow_model_version_with_its_training_run(
    applied: Path, server: MlflowServer, client: Any
) -> None:
    from mlflow.entities import LoggedModelStatus

    outputs = _outputs(applied, server.uri, f"model.{CLASSIFIER}")
    assert outputs["build"] == "1.0.0+1"
    assert outputs["registry_path"] == f"models:/{CLASSIFIER}/1"
    assert outputs["mlflow"]["model_version"] == "1"
    version = client.get_model_version(CLASSIFIER, "1")
    recorded = outputs["builds"]["1.0.0+1"]
    assert version.tags["modelspec.build"] == "1.0.0+1"
    assert version.tags["modelspec.manifest_digest"] == recorded["manifest.json"]
    assert version.tags["modelspec.data_digest"] == outputs["data_digest"]
    assert version.tags["modelspec.spec_digest"].startswith("sha256:")
    assert version.run_id == outputs["mlflow"]["run_id"]
    training = client.get_run(version.run_id)
    assert training.info.status == "FINISHED"
    assert training.data.params["estimator"] == "sklearn.linear_model.LogisticRegression"
    assert set(training.data.metrics) == set(outputs["metrics"])
    assert training.data.metrics["roc_auc"] == pytest.approx(outputs["metrics"]["roc_auc"])
    assert training.data.tags["modelspec.build"] == "1.0.0+1"
    model_id = outputs["mlflow"]["model_id"]
    assert version.source == f"models:/{model_id}"
    logged = client.get_logged_model(model_id)
    assert logged.status == LoggedModelStatus.READY and logged.source_run_id == version.run_id
    # the artifacts are the build folder, byte for byte: every file state recorded, no other
    folder = next(server.artifacts.rglob(f"{model_id}/artifacts"))
    from modelspec.registry.local import sha256

    assert {p.name: sha256(p.read_bytes()) for p in folder.iterdir()} == recorded
    assert {"MLmodel", "model.joblib", "model.skops", "manifest.json"} <= set(recorded)
    assert client.get_model_version(REGRESSOR, "1").tags["modelspec.build"] == "2.0.1+1"


def test_each_target_is_an_mlflow_alias_and_manifests_name_the_versions_artifacts(
    applied: Path, server: MlflowServer, client: Any
) -> None:
    for model, alias in ((CLASSIFIER, "staging"), (CLASSIFIER, "prod"), (REGRESSOR, "batch")):
        assert client.get_model_version_by_alias(model, alias).version == "1"
    outputs = _outputs(applied, server.uri, f"deployment.{PROD}")
    assert outputs["model_build"] == "1.0.0+1" and outputs["mlflow_model_version"] == "1"
    path = outputs["model_storage_path"]
    assert (server.artifacts / path / "MLmodel").is_file()  # relative to --artifacts-destination
    service = (applied / "generated/deployments" / PROD / "inferenceservice.yaml").read_text()
    assert f"storageUri: pvc://modelspec-registry/{path}\n" in service
    assert "/biopsy-malignancy-classifier/1.0.0+1" not in service


def test_mlflow_loads_the_registered_model_and_predicts_what_modelspec_serves(
    applied: Path, server: MlflowServer
) -> None:
    import mlflow.pyfunc
    import pandas as pd

    from modelspec.project import load_project
    from modelspec.registry.trust import open_deployed

    with pytest.MonkeyPatch.context() as patch:
        _environment(patch, server.uri)
        project, _ = load_project(applied)
        assert project is not None
        verified = open_deployed(project, PROD, CLASSIFIER, "prod")
        assert verified is not None
        example = json.loads(verified.path.joinpath("input_example.json").read_text())
        rows = pd.DataFrame(example["data"], columns=example["columns"])
        loaded = mlflow.pyfunc.load_model(f"models:/{CLASSIFIER}@prod")
        assert list(loaded.predict(rows)) == list(verified.estimator().predict(rows))


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_serve_downloads_verifies_and_loads_and_no_credential_is_written(
    applied: Path, server: MlflowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelspec.serving import server as serving

    served: list[Any] = []
    monkeypatch.setattr(serving, "serve", lambda config, announce: served.append(config))
    result = run(applied, server.uri, "serve", PROD)
    assert result.exit_code == 0, result.output
    (config,) = served
    assert config.build_dir == applied / ".modelspec/mlflow-builds" / CLASSIFIER / "1.0.0+1"
    assert config.record.build == "1.0.0+1"
    for name, content in _files(applied).items():
        assert SECRET.encode() not in content, name


def test_a_tampered_artifact_in_the_store_is_refused_before_loading(
    applied: Path, server: MlflowServer, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelspec.serving import server as serving

    served: list[Any] = []
    monkeypatch.setattr(serving, "serve", lambda config, announce: served.append(config))
    path = _outputs(applied, server.uri, f"deployment.{PROD}")["model_storage_path"]
    skops = server.artifacts / path / "model.skops"
    original = skops.read_bytes()
    skops.write_bytes(original[:-8] + b"tampered")
    try:
        result = run(applied, server.uri, "serve", PROD)
    finally:
        skops.write_bytes(original)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    assert "model.skops does not match" in errors[0] and "not loaded" in errors[0]
    assert served == []


def test_a_server_that_is_down_is_one_line_and_changes_nothing(
    applied: Path, server: MlflowServer, tmp_path: Path
) -> None:
    from modelspec.project import load_project
    from modelspec.state.triggers import record_trigger

    root = tmp_path / "copy"
    shutil.copytree(applied, root, symlinks=True)
    project, _ = load_project(root)
    assert project is not None
    record_trigger(project, f"model.{CLASSIFIER}", "drift breach", "retrain")  # apply has work
    down = f"http://127.0.0.1:{free_port()}"
    before = _files(root / ".modelspec")
    reached = f"cannot reach the MLflow server at {down} ([Errno 111] Connection refused)"
    for args, prefix in (
        (("apply", "--auto-approve"), "error[MS505]: apply stopped at model."),  # a diagnostic
        (("serve", PROD), "Error: "),
    ):
        result = run(root, down, *args)
        assert result.exit_code == 1, result.output
        errors = [line for line in result.output.splitlines() if line.startswith(prefix)]
        assert len(errors) == 1 and "Traceback" not in result.output, result.output
        assert reached in errors[0], result.output
    after = _files(root / ".modelspec")
    assert {k: v for k, v in after.items() if "state" in k} == {
        k: v for k, v in before.items() if "state" in k
    }


def test_a_new_build_moves_the_aliases_and_a_rollback_moves_one_back(
    applied: Path, server: MlflowServer, client: Any
) -> None:
    from modelspec.project import load_project
    from modelspec.state.triggers import record_trigger

    project, _ = load_project(applied)
    assert project is not None
    record_trigger(project, f"model.{CLASSIFIER}", "drift breach", "retrain")
    result = run(applied, server.uri, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert client.get_model_version(CLASSIFIER, "2").tags["modelspec.build"] == "1.0.0+2"
    for alias in ("staging", "prod"):
        assert client.get_model_version_by_alias(CLASSIFIER, alias).version == "2"
    history = client.get_registered_model(CLASSIFIER).tags["modelspec.alias_history.prod"]
    assert json.loads(history) == ["1.0.0+1", "1.0.0+2"]

    record_trigger(project, f"deployment.{PROD}", "latency breach", "rollback")
    result = run(applied, server.uri, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert client.get_model_version_by_alias(CLASSIFIER, "prod").version == "1"
    assert client.get_model_version_by_alias(CLASSIFIER, "staging").version == "2"
    history = client.get_registered_model(CLASSIFIER).tags["modelspec.alias_history.prod"]
    assert json.loads(history) == ["1.0.0+1"]
    outputs = _outputs(applied, server.uri, f"deployment.{PROD}")
    assert outputs["model_build"] == "1.0.0+1" and outputs["rolled_back_from"] == "1.0.0+2"
    assert outputs["mlflow_model_version"] == "1"
