"""The rendered Argo Workflow executed as its pods would run it: one fresh directory per step,
sharing only the volumes and artifacts the Workflow declares, ending in a deployed build."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from argo_harness import ArgoHarness, StepFailed
from click.testing import CliRunner

from modelspec.cli import cli

pytestmark = pytest.mark.slow

MODEL = "biopsy-malignancy-classifier"
MODELSPEC = Path(sys.executable).with_name("modelspec")
HOSTILE = "Ranks biopsies {{workflow.name}} {{=sprig.env('HOME')}} {{ 7*7 }}"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with pipelines.engine argo, applied: generated/ holds its Workflows."""
    from modelspec.examples.scaffold import init_project

    root = tmp_path_factory.mktemp("argo") / "example"
    init_project(root)
    config = root / "modelspec.yaml"
    config.write_text(config.read_text().replace("engine: local", "engine: argo"))
    for rel, old in (  # text Argo would read as template tags, in the bundle and a manifest
        (f"models/{MODEL}.yaml", "Estimates the probability that a breast biopsy is malignant, "
         "to prioritise pathology review."),
        (f"deployments/{MODEL}.yaml", "Scores biopsies for the pathology worklist."),
    ):
        spec = root / "specs" / rel
        text = spec.read_text()
        assert f"description: {old}" in text
        spec.write_text(text.replace(f"description: {old}", f'description: "{HOSTILE}"'))
    approve = ["-C", str(root), "approve", f"model.{MODEL}", "--role", "compliance"]
    result = CliRunner().invoke(cli, [*approve, "--by", "ines.marchetti"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["-C", str(root), "apply", "--auto-approve"])
    assert result.exit_code == 0, result.output
    return root


def _workflow(project: Path) -> dict[str, Any]:
    text = (project / "generated" / "pipelines" / MODEL / "workflow.yaml").read_text()
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def _harness(project: Path, base: Path) -> ArgoHarness:
    """A fresh submission; the registry claim is empty and the data claim holds data/."""
    data, registry = base / "claims" / "modelspec-data", base / "claims" / "modelspec-registry"
    shutil.copytree(project / "data", data / "data")
    registry.mkdir(parents=True)
    claims = {"modelspec-data": data, "modelspec-registry": registry}
    return ArgoHarness(_workflow(project), base / "run", MODELSPEC, claims)


@pytest.fixture(scope="module")
def finished(project: Path, tmp_path_factory: pytest.TempPathFactory) -> ArgoHarness:
    harness = _harness(project, tmp_path_factory.mktemp("pods"))
    harness.run()
    return harness


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_step_ran_in_its_own_pod(finished: ArgoHarness) -> None:
    steps = [run.step for run in finished.runs]
    assert steps == ["validate-data", "train", "evaluate", "register", "deploy"]
    roots = [run.root for run in finished.runs]
    assert len(set(roots)) == len(roots)
    for run in finished.runs:
        assert run.returncode == 0, run.stderr
        assert not (run.root / "work").exists()  # the work volume is its own directory
        assert run.cwd == finished.volumes["work"] / "project"
    assert "registered 1.0.0+1" in finished.runs[3].stdout
    assert "1.0.0+1 deployed to biopsy-classifier-prod, biopsy-classifier-staging" in (
        finished.runs[4].stdout
    )


def test_the_build_is_in_the_registry_claim_whole(finished: ArgoHarness) -> None:
    folder = finished.claims["modelspec-registry"] / MODEL / "1.0.0+1"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["build"] == "1.0.0+1"
    on_disk = sorted(p.name for p in folder.iterdir() if p.name != "manifest.json")
    assert on_disk == sorted(manifest["files"])
    for name, digest in manifest["files"].items():
        assert _sha256(folder / name) == digest, name
    aliases = json.loads((folder.parent / "aliases.json").read_text())
    assert aliases == {"prod": "1.0.0+1", "staging": "1.0.0+1"}


def test_the_applied_inference_service_names_that_build(finished: ArgoHarness) -> None:
    from modelspec.registry.modelfile import load_model

    applied = finished.applied()
    service = applied[("ml-prod", "InferenceService", "biopsy-classifier-prod")]
    assert ("ml-staging", "InferenceService", "biopsy-classifier-staging") in applied
    assert ("ml-prod", "PrometheusRule", "biopsy-classifier-prod-alerts") in applied
    uri = service["spec"]["predictor"]["model"]["storageUri"]
    assert uri == f"pvc://modelspec-registry/{MODEL}/1.0.0+1"
    claim, _, sub = uri.removeprefix("pvc://").partition("/")
    folder = finished.claims[claim] / sub
    digest = _sha256(folder / "manifest.json")
    annotations = json.dumps(service["metadata"].get("annotations", {}))
    assert digest in annotations or digest.removeprefix("sha256:") in annotations
    model = load_model((folder / "model.skops").read_bytes(), str(folder / "model.skops"))
    signature = json.loads((folder / "signature.json").read_text())
    example = json.loads((folder / "input_example.json").read_text())
    assert len(signature["inputs"]) == 10
    assert example
    import pandas as pd

    frame = pd.read_csv(finished.claims["modelspec-data"] / "data" / "breast_cancer.csv")
    columns = [i["name"] for i in signature["inputs"]]
    predictions = model.predict(frame[columns].head(20))
    assert set(predictions) <= {True, False}
    assert len(predictions) == 20


def test_the_manifests_are_what_apply_renders_for_that_build(
    finished: ArgoHarness, project: Path
) -> None:
    """The pod renders from the bundle what apply would render from the repository."""
    from modelspec.compile import load_graph
    from modelspec.generate.cache import render_resource
    from modelspec.project import load_project

    loaded, _ = load_project(project)
    assert loaded is not None
    graph, _ = load_graph(loaded)
    folder = finished.claims["modelspec-registry"] / MODEL / "1.0.0+1"
    versions = json.loads((folder / "versions.json").read_text())
    outputs = {
        "model_build": "1.0.0+1",
        "model_build_digest": _sha256(folder / "manifest.json"),
        "model_version": "1.0.0",
        "sklearn_version": versions["sklearn"],
    }
    deployment = graph.get("deployment.biopsy-classifier-prod")
    assert deployment is not None
    [service] = [
        a for a in render_resource(deployment, graph, loaded, outputs)
        if a.path.endswith("inferenceservice.yaml")
    ]
    applied = finished.applied()[("ml-prod", "InferenceService", "biopsy-classifier-prod")]
    assert yaml.safe_load(service.content) == applied
    assert applied["metadata"]["annotations"]["modelspec.dev/description"] == HOSTILE


def test_a_step_without_its_predecessors_record_fails_in_one_line(
    project: Path, tmp_path: Path
) -> None:
    harness = _harness(project, tmp_path)
    harness.run(until="validate-data")
    (harness.volumes["work"] / "steps" / "validation.json").unlink()
    with pytest.raises(StepFailed) as failed:
        harness.run_step("train")
    run = failed.value.run
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    [line] = [line for line in run.stderr.splitlines() if line.strip()]
    assert "validation.json is missing; run the validate-data step first" in line


def test_a_step_in_a_pod_without_the_bundle_fails_in_one_line(
    project: Path, tmp_path: Path
) -> None:
    harness = _harness(project, tmp_path)
    with pytest.raises(StepFailed) as failed:
        harness.run_step("train")  # validate-data never wrote the bundle to the work volume
    run = failed.value.run
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "no modelspec.yaml found" in run.stderr


def test_kserve_serves_the_applied_inference_service_from_the_pods_registry(
    finished: ArgoHarness,
) -> None:
    """What the cluster would run: KServe's own sklearn server on the folder storageUri names."""
    from modelspec.registry.modelfile import load_model
    from runtimes import http, kserve_sklearnserver, running, v2_predictions, v2_tensor

    service = finished.applied()[("ml-prod", "InferenceService", "biopsy-classifier-prod")]
    claim, _, sub = service["spec"]["predictor"]["model"]["storageUri"].removeprefix("pvc://").partition("/")
    folder = finished.claims[claim] / sub
    columns = [i["name"] for i in json.loads((folder / "signature.json").read_text())["inputs"]]
    import pandas as pd

    frame = pd.read_csv(finished.claims["modelspec-data"] / "data" / "breast_cancer.csv")[columns]
    rows = frame.head(12).to_dict("records")
    want = load_model((folder / "model.skops").read_bytes(), "model.skops").predict(frame.head(12))
    name = service["metadata"]["name"]
    command, env, port = kserve_sklearnserver(folder, name)
    with running(command, f"http://127.0.0.1:{port}/v2/models/{name}/ready", env=env):
        status, answer = http("POST", f"http://127.0.0.1:{port}/v2/models/{name}/infer", v2_tensor(columns, rows))
    assert status == 200, answer
    assert v2_predictions(answer) == list(want.tolist())


def test_the_next_apply_takes_up_the_build_the_pods_deployed(
    project: Path, finished: ArgoHarness, tmp_path: Path
) -> None:
    """Where the cluster side and apply meet: the registry claim visible to the project."""
    clone = tmp_path / "ci"
    shutil.copytree(project, clone)
    registry = clone / ".modelspec" / "registry"
    shutil.rmtree(registry, ignore_errors=True)
    shutil.copytree(finished.claims["modelspec-registry"], registry)  # the claim, mounted
    plan = CliRunner().invoke(cli, ["-C", str(clone), "plan"])
    assert plan.exit_code == 0, plan.output
    assert f"the pipeline deployed {MODEL} 1.0.0+1" in plan.output
    applied = CliRunner().invoke(cli, ["-C", str(clone), "apply", "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    rendered = yaml.safe_load(
        (clone / "generated/deployments/biopsy-classifier-prod/inferenceservice.yaml").read_text()
    )
    pods = finished.applied()[("ml-prod", "InferenceService", "biopsy-classifier-prod")]
    assert rendered["metadata"]["annotations"] == pods["metadata"]["annotations"]
    assert rendered == pods  # apply renders exactly what the Workflow applied
    again = CliRunner().invoke(cli, ["-C", str(clone), "plan", "--detailed-exitcode"])
    assert again.exit_code == 0, again.output
