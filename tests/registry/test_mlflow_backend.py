"""The registry seam without a server: which backend a project gets, where storageUri points, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow_server import free_port

from modelspec.errors import EngineError
from modelspec.project import Project, load_project
from modelspec.registry.backend import LocalRegistry, TrainingRun, registry_for
from modelspec.registry.mlflow import MlflowRegistry, storage_path
from modelspec.registry.mlflow_calls import server_uri, shown

RUN = TrainingRun("sklearn.linear_model.LogisticRegression", {}, {}, {}, "sha256:a", "sha256:b")


def _project(root: Path, backend: str) -> Project:
    (root / "specs").mkdir(parents=True)
    (root / "modelspec.yaml").write_text(
        f"project: p\nregistry: {{backend: {backend}}}\n", encoding="utf-8"
    )
    project, diags = load_project(root)
    assert project is not None, diags
    return project


def test_the_project_names_its_registry_and_local_is_the_default(tmp_path: Path) -> None:
    local = registry_for(_project(tmp_path / "a", "local"))
    assert isinstance(local, LocalRegistry) and local.path == tmp_path / "a/.modelspec/registry"
    remote = registry_for(_project(tmp_path / "b", "mlflow"))
    assert isinstance(remote, MlflowRegistry)
    assert remote.cache == tmp_path / "b/.modelspec/mlflow-builds"
    assert remote.storage_root == "pvc://modelspec-registry"


def test_the_local_registry_records_the_build_folder_relative_to_the_project(tmp_path: Path) -> None:
    registry = LocalRegistry(tmp_path / ".modelspec/registry", tmp_path)
    files = {"model.joblib": b"pickle", "model.skops": b"skops"}
    registered = registry.register("m", "1.0.0", files, RUN)
    assert registered.build.build == "1.0.0+1"
    assert registered.outputs == {"registry_path": ".modelspec/registry/m/1.0.0+1"}
    assert registry.set_alias("m", "prod", "1.0.0+1") is None
    assert registry.get_alias("m", "prod") == "1.0.0+1"
    assert registry.fetch_build("m", "1.0.0+1") == registered.build.path
    assert registry.deployed_outputs("m", "1.0.0+1") == {}
    assert registry.alias_location("m") == str(tmp_path / ".modelspec/registry/m/aliases.json")


@pytest.mark.parametrize(
    ("artifact_uri", "root", "expected"),
    [
        ("mlflow-artifacts:/1/models/m-ab/artifacts", "pvc://modelspec-registry", "1/models/m-ab/artifacts"),
        ("mlflow-artifacts://mlflow:5000/1/models/m-ab/artifacts", "s3://b/mlflow", "1/models/m-ab/artifacts"),
        ("s3://bucket/mlflow/3/models/m-cd/artifacts", "s3://bucket/mlflow/", "3/models/m-cd/artifacts"),
    ],
)
def test_storage_uri_names_the_versions_artifacts_in_the_store_registry_uri_names(
    artifact_uri: str, root: str, expected: str
) -> None:
    assert storage_path(artifact_uri, root) == expected


def test_artifacts_outside_registry_uri_are_refused_with_how_to_fix() -> None:
    with pytest.raises(EngineError, match=r"set registry.uri in modelspec.yaml to the artifact root"):
        storage_path("s3://elsewhere/3/models/m-cd/artifacts", "pvc://modelspec-registry")


def test_the_server_comes_from_mlflows_own_variable_and_messages_never_show_a_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with pytest.raises(EngineError, match="MLFLOW_TRACKING_URI is not set"):
        server_uri()
    assert shown("https://ci:hunter2@mlflow.example:8443/path") == "https://mlflow.example:8443/path"
    assert shown("http://127.0.0.1:5000") == "http://127.0.0.1:5000"


def test_a_server_that_is_down_fails_at_once_naming_it_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://ci:hunter2@127.0.0.1:{port}")
    registry = MlflowRegistry(tmp_path / "cache", "pvc://modelspec-registry")
    with pytest.raises(EngineError) as caught:
        registry.get_alias("m", "prod")
    message = str(caught.value)
    assert message.startswith(f"cannot reach the MLflow server at http://127.0.0.1:{port} (")
    assert "hunter2" not in message and "\n" not in message
    assert not (tmp_path / "cache").exists()

