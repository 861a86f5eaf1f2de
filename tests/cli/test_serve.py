"""`modelspec serve`: choosing the build and what vouches for it, refusing a bad one with exit 1 (tests/serving runs the real server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes import passing_validate_data
from recorded_state import record_in_state

from modelspec.cli import cli

MODEL = "biopsy-malignancy-classifier"
DEPLOYMENT = "biopsy-classifier-prod"



@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project with the classifier built once (GX validation is tested on its own)."""
    import modelspec.engine.data_validation as data_validation
    from modelspec.compile import load_graph
    from modelspec.engine.local import run_pipeline
    from modelspec.examples.scaffold import init_project
    from modelspec.project import load_project

    root = tmp_path_factory.mktemp("serve-cli") / "example"
    init_project(root)
    loaded, _ = load_project(root)
    assert loaded is not None
    graph, _ = load_graph(loaded)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data_validation, "validate_data", passing_validate_data)
        outputs = run_pipeline(loaded, graph, MODEL)
    record_in_state(root, {f"model.{MODEL}": outputs})  # the build's digests, as apply records them
    return root


def _build(project: Path) -> Path:
    return project / ".modelspec" / "registry" / MODEL / "1.0.0+1"


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), "serve", *args])


def test_serve_needs_a_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODELSPEC_BUILD_DIR", raising=False)
    result = run(project)
    assert result.exit_code == 1
    assert "give a deployment or --build-dir DIR" in result.output
    result = run(project, "--deployment", DEPLOYMENT, "--build-dir", str(_build(project)))
    assert result.exit_code == 1 and "not both" in result.output


def test_an_undeployed_or_unknown_deployment_is_an_error(project: Path) -> None:
    result = run(project, DEPLOYMENT)
    assert result.exit_code == 1
    assert "has no deployed build yet" in result.output
    result = run(project, "--deployment", "nope")
    assert result.exit_code == 1 and "no Deployment named 'nope'" in result.output


def test_a_tampered_build_exits_1_without_a_traceback(project: Path, tmp_path: Path) -> None:
    import shutil

    build = tmp_path / MODEL / "1.0.0+1"
    shutil.copytree(_build(project), build)
    (build / "metrics.json").write_text("{}\n")
    result = run(project, "--build-dir", str(build))
    assert result.exit_code == 1
    assert "metrics.json does not match its manifest" in result.output
    assert "Traceback" not in result.output
    result = run(project, "--build-dir", str(tmp_path / "missing"))
    assert result.exit_code == 1 and "neither a registered build" in result.output


def test_a_build_digest_stands_in_for_the_project(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelspec.registry.local import sha256
    from modelspec.serving import server as serving

    seen: list[Any] = []
    monkeypatch.setattr(serving, "serve", lambda config, announce: seen.append(config))
    build = _build(project)
    digest = sha256((build / "manifest.json").read_bytes())
    monkeypatch.setenv("MODELSPEC_BUILD_DIR", str(build))
    monkeypatch.setenv("MODELSPEC_BUILD_DIGEST", digest)
    monkeypatch.setenv("MODELSPEC_MODEL_NAME", "biopsy")
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "serve"])  # no project here
    assert result.exit_code == 0, result.output
    [config] = seen
    assert (config.name, config.record.model, config.record.build) == ("biopsy", MODEL, "1.0.0+1")
    assert config.record.files["manifest.json"] == digest
    monkeypatch.setenv("MODELSPEC_BUILD_DIGEST", "sha256:" + "0" * 64)
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "serve"])
    assert result.exit_code == 1
    assert "manifest.json does not match the build digest" in result.output


def test_deployment_serves_its_alias_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelspec.registry.local import set_alias
    from modelspec.serving import server as serving

    set_alias(project / ".modelspec" / "registry", MODEL, "prod", "1.0.0+1")
    record_in_state(project, {f"deployment.{DEPLOYMENT}": {"model_build": "1.0.0+1"}})  # as apply does
    seen: list[Any] = []
    monkeypatch.setattr(serving, "serve", lambda config, announce: seen.append(config))
    result = run(project, DEPLOYMENT, "--quiet")
    assert result.exit_code == 0, result.output
    [config] = seen
    assert (config.record.model, config.record.build) == (MODEL, "1.0.0+1")
    assert config.name == DEPLOYMENT  # what KServe clients use, not the Model's name
    assert (config.host, config.port, config.metrics_port) == ("127.0.0.1", 8080, 8082)
    assert config.access_log is False
