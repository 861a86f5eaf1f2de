"""The example's batch CronJob run as its pod would run it: a fresh directory with only the volumes it
declares (the project ConfigMap, the registry, data and scores claims), scoring with the build it names."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from applied_example import apply_example
from argo_harness import PodHarness, StepFailed

pytestmark = pytest.mark.slow

DEPLOYMENT = "diabetes-progression-batch"
MODEL = "diabetes-progression-regressor"
MODELSPEC = Path(sys.executable).with_name("modelspec")


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project after a real `modelspec apply` (trained, validated by GX, registered)."""
    return apply_example(tmp_path_factory.mktemp("cronjob") / "example")


def _manifest(root: Path, name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(
        (root / "generated" / "deployments" / DEPLOYMENT / name).read_text(encoding="utf-8")
    )
    return document


def _pod(root: Path) -> dict[str, Any]:
    pod: dict[str, Any] = _manifest(root, "cronjob.yaml")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return pod


def _harness(root: Path, base: Path) -> PodHarness:
    """Claims as the cluster would hold them: the registry apply wrote, the project's data files at
    their project paths, an empty scores claim; the ConfigMap as `kubectl apply` created it."""
    claims = base / "claims"
    shutil.copytree(root / ".modelspec" / "registry", claims / "modelspec-registry")
    (claims / "modelspec-data" / "data").mkdir(parents=True)
    shutil.copyfile(root / "data" / "diabetes.csv", claims / "modelspec-data" / "data" / "diabetes.csv")
    (claims / "modelspec-scores").mkdir()
    config_map = _manifest(root, "project.yaml")
    return PodHarness(
        base / "run",
        MODELSPEC,
        {c.name: c for c in claims.iterdir()},
        {config_map["metadata"]["name"]: config_map},
    )


def _env(pod: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in pod["containers"][0]["env"]}


def test_the_cronjob_names_the_deployed_build_and_the_configmap_beside_it(applied: Path) -> None:
    pod = _pod(applied)
    env = _env(pod)
    assert env["MODELSPEC_BUILD_DIR"] == f"/var/lib/modelspec/registry/{MODEL}/2.0.1+1"
    digest = "sha256:" + hashlib.sha256(
        (applied / ".modelspec" / "registry" / MODEL / "2.0.1+1" / "manifest.json").read_bytes()
    ).hexdigest()
    assert env["MODELSPEC_BUILD_DIGEST"] == digest
    config_map = _manifest(applied, "project.yaml")
    assert config_map["kind"] == "ConfigMap"
    assert config_map["metadata"]["namespace"] == "ml-batch"
    assert sorted(config_map["data"]) == [
        "modelspec.yaml",
        "specs_datacontract_diabetes-cohort.yaml",
        "specs_deployment_diabetes-progression-batch.yaml",
        f"specs_model_{MODEL}.yaml",
        "specs_target_batch.yaml",
    ]
    claims = {
        v["persistentVolumeClaim"]["claimName"]: v["persistentVolumeClaim"].get("readOnly", False)
        for v in pod["volumes"]
        if "persistentVolumeClaim" in v
    }
    assert claims == {"modelspec-registry": True, "modelspec-data": True, "modelspec-scores": False}


def test_the_pod_scores_every_row_onto_the_scores_claim(applied: Path, tmp_path: Path) -> None:
    import pandas as pd

    from modelspec.registry.verify import open_build, record_from_digest

    harness = _harness(applied, tmp_path)
    pod = _pod(applied)
    run = harness.run(pod, "score")
    assert "Traceback" not in run.stderr
    scores = harness.claims["modelspec-scores"]
    [written] = sorted(p for p in scores.rglob("*") if p.is_file())
    assert written.parent == scores / DEPLOYMENT / "2.0.1+1"
    assert written.name.startswith("scores-") and written.suffix == ".csv"
    assert f"scored 442 rows with 2.0.1+1: {written}" in run.stdout  # the pod's path, remapped
    assert not list(run.root.rglob("*.csv"))  # nothing is left in the pod's own file system

    data = pd.read_csv(applied / "data" / "diabetes.csv")
    scored = pd.read_csv(written)
    assert len(scored) == len(data) == 442
    assert list(scored.columns) == [*data.columns, "prediction"]
    build = harness.claims["modelspec-registry"] / MODEL / "2.0.1+1"
    verified = open_build(build, record_from_digest(build, _env(pod)["MODELSPEC_BUILD_DIGEST"]))
    signature = verified.json("signature.json")
    x = pd.DataFrame(
        {
            i["name"]: data[i["name"]].astype("float64")
            if i["kind"] == "numeric"
            else data[i["name"]].astype(str).astype(object)
            for i in signature["inputs"]
        }
    )
    expected = verified.estimator().predict(x)
    assert scored["prediction"].to_numpy() == pytest.approx(expected, rel=1e-9)


def test_each_run_keeps_its_own_scores_file(applied: Path, tmp_path: Path) -> None:
    harness = _harness(applied, tmp_path)
    pod = _pod(applied)
    harness.run(pod, "first")
    harness.run(pod, "second")
    written = sorted(p for p in harness.claims["modelspec-scores"].rglob("*.csv"))
    assert len(written) == 2
    assert written[0].read_bytes() == written[1].read_bytes()


def test_a_tampered_model_fails_the_pod_in_one_line_and_writes_nothing(
    applied: Path, tmp_path: Path
) -> None:
    harness = _harness(applied, tmp_path)
    model = harness.claims["modelspec-registry"] / MODEL / "2.0.1+1" / "model.skops"
    model.write_bytes(model.read_bytes() + b"\0")
    with pytest.raises(StepFailed) as failed:
        harness.run(_pod(applied), "score")
    run = failed.value.run
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    [line] = [line for line in run.stderr.splitlines() if line.strip()]
    assert line.startswith("Error: ")
    assert "model.skops does not match its manifest" in line and "is not loaded" in line
    assert not any(harness.claims["modelspec-scores"].rglob("*"))
