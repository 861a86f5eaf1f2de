"""`modelspec run-step` in a pod: the MODELSPEC_* environment the manifests set, and the deploy step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from fakes import passing_validate_data

from modelspec.cli import cli

MODEL = "diabetes-progression-regressor"


@pytest.fixture
def pod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The example as a pod sees it: project, work and registry folders apart, cwd elsewhere."""
    import modelspec.engine.data_validation as data_validation
    from modelspec.examples.scaffold import init_project

    monkeypatch.setattr(data_validation, "validate_data", passing_validate_data)
    dirs = {name: tmp_path / name for name in ("project", "work", "registry", "cwd")}
    init_project(dirs["project"])
    dirs["cwd"].mkdir()
    monkeypatch.chdir(dirs["cwd"])
    monkeypatch.setenv("MODELSPEC_PROJECT_DIR", str(dirs["project"]))
    monkeypatch.setenv("MODELSPEC_WORK_DIR", str(dirs["work"]))
    monkeypatch.setenv("MODELSPEC_REGISTRY_DIR", str(dirs["registry"]))
    monkeypatch.setenv("MODELSPEC_REGISTRY_URI", "pvc://team-registry/models")
    return dirs


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["run-step", *args])


def test_steps_work_where_the_environment_says(pod: dict[str, Path]) -> None:
    for step in ("validate-data", "train", "evaluate", "register"):
        result = run(step, "--model", MODEL)
        assert result.exit_code == 0, result.output
    assert (pod["work"] / "build.json").is_file()
    assert (pod["registry"] / MODEL / "2.0.1+1" / "manifest.json").is_file()
    assert not (pod["project"] / ".modelspec").exists()  # nothing written into the bundle
    result = run("deploy", "--model", MODEL)
    assert result.exit_code == 0, result.output
    assert f"{MODEL}: 2.0.1+1 deployed to diabetes-progression-batch" in result.output
    aliases = json.loads((pod["registry"] / MODEL / "aliases.json").read_text())
    assert aliases == {"batch": "2.0.1+1"}
    deploy = pod["work"] / "deploy"
    assert (deploy / "build").read_text() == "2.0.1+1"
    cronjob = deploy / "deployments" / "diabetes-progression-batch" / "cronjob.yaml"
    text = cronjob.read_text()
    assert "\n" not in text and "{{" not in text  # one line of JSON, as a parameter
    manifest = yaml.safe_load(text)
    assert manifest["kind"] == "CronJob"
    assert "team-registry" in text  # MODELSPEC_REGISTRY_URI names the claim the job mounts
    record = json.loads((pod["work"] / "deploy.json").read_text())
    assert record["build"] == "2.0.1+1"
    assert record["deployments"]["diabetes-progression-batch"]["target"] == "batch"


def test_deploy_refuses_a_build_whose_manifest_changed(pod: dict[str, Path]) -> None:
    for step in ("validate-data", "train", "evaluate", "register"):
        assert run(step, "--model", MODEL).exit_code == 0
    manifest = pod["registry"] / MODEL / "2.0.1+1" / "manifest.json"
    manifest.write_text(manifest.read_text().replace("2.0.1+1", "2.0.1+1 "))
    result = run("deploy", "--model", MODEL)
    assert result.exit_code == 1
    assert "does not match what register recorded" in result.output
    assert not (pod["registry"] / MODEL / "aliases.json").exists()


def test_deploy_before_register_is_a_one_line_error(pod: dict[str, Path]) -> None:
    result = run("deploy", "--model", MODEL)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: model {MODEL}: {pod['work'] / 'build.json'} is missing; run the register step first"
    ]


def test_a_missing_project_dir_says_where_it_looked(pod: dict[str, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["run-step", "train", "--model", MODEL], env={"MODELSPEC_PROJECT_DIR": str(tmp_path / "no")}
    )
    assert result.exit_code == 1
    assert f"no modelspec.yaml found in {tmp_path / 'no'}" in result.output
