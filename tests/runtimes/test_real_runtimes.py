"""The build apply registers, served by the real runtimes at exactly the path its manifest names.

KServe's own sklearn server (its code, in the environment its image has: scikit-learn
1.5.2, pandas 2), MLServer, `modelspec serve` and MLflow's scoring server load the
build folder the InferenceService's `storageUri` names, and answer the request
shapes each accepts with the predictions modelspec's own verified copy gives.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from applied_example import apply_example

from runtimes import (
    http,
    kserve_sklearnserver,
    mlflow_dataframe_split,
    mlflow_serve,
    mlserver,
    modelspec_serve,
    running,
    v1_lists,
    v1_objects,
    v2_per_feature,
    v2_per_feature_plain,
    v2_predictions,
    v2_tensor,
)

pytestmark = pytest.mark.slow

CLASSIFIER = "biopsy-malignancy-classifier"
STAGING = "biopsy-classifier-staging"
REGRESSOR = "diabetes-progression-regressor"
ROWS = 12


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project after a real `modelspec apply` (trained, validated by GX, registered)."""
    return apply_example(tmp_path_factory.mktemp("runtimes") / "example")


def _storage_dir(root: Path, deployment: str) -> tuple[Path, str]:
    """The folder the InferenceService's storageUri names, on the claim that holds the registry,
    and the build's manifest digest the manifest carries."""
    isvc = yaml.safe_load((root / "generated/deployments" / deployment / "inferenceservice.yaml").read_text())
    uri = isvc["spec"]["predictor"]["model"]["storageUri"]
    claim_root = "pvc://modelspec-registry/"
    assert uri.startswith(claim_root), uri
    folder = root / ".modelspec/registry" / uri.removeprefix(claim_root)
    assert folder.is_dir(), f"{uri} names {folder}, which the registry does not hold"
    return folder, isvc["metadata"]["annotations"]["modelspec.dev/model-build-digest"]


def _rows(root: Path, data: str, signature: dict[str, Any]) -> list[dict[str, Any]]:
    """The first rows of the data, numeric features as numbers and the rest as text."""
    kinds = {i["name"]: i["kind"] for i in signature["inputs"]}
    with open(root / "data" / data, newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for _, row in zip(range(ROWS), reader, strict=False)]
    return [{f: float(row[f]) if k == "numeric" else row[f] for f, k in kinds.items()} for row in rows]


def _expected(folder: Path, root: Path, rows: list[dict[str, float]], features: list[str]) -> list[Any]:
    """What modelspec's own copy (model.skops, verified against state) predicts."""
    import pandas as pd

    from modelspec.project import load_project
    from modelspec.registry.trust import open_build_dir

    project, _ = load_project(root)
    assert project is not None
    verified = open_build_dir(project, folder)
    return list(verified.estimator().predict(pd.DataFrame(rows, columns=features)).tolist())


SHAPES = {
    "v1 lists": v1_lists,
    "v1 objects": v1_objects,
    "v2 FP64 tensor": v2_tensor,
    "v2 per feature (pandas codec)": v2_per_feature,
    "v2 per feature (no content type)": v2_per_feature_plain,
    "mlflow dataframe_split": mlflow_dataframe_split,
}


def _ask(
    port: int, name: str, runtime: str, shape: str, features: list[str], rows: list[dict[str, Any]]
) -> Any:
    """The predictions a runtime answers, or the (status, body) of a refusal."""
    body = SHAPES[shape](features, rows)
    if runtime == "mlflow":  # one endpoint for every shape
        url = f"http://127.0.0.1:{port}/invocations"
    elif shape.startswith("v1"):
        url = f"http://127.0.0.1:{port}/v1/models/{name}:predict"
    elif shape.startswith("v2"):
        url = f"http://127.0.0.1:{port}/v2/models/{name}/infer"
    else:
        url = f"http://127.0.0.1:{port}/invocations"
    status, answer = http("POST", url, body)
    if status != 200:
        return (status, answer)
    if "outputs" in answer:
        return [value[0] if isinstance(value, list) else value for value in v2_predictions(answer)]
    return list(answer["predictions"])


def _same(got: list[Any], want: list[Any]) -> bool:
    if all(isinstance(v, bool) for v in want):
        return got == want
    return len(got) == len(want) and all(abs(g - w) <= 1e-9 * max(1.0, abs(w)) for g, w in zip(got, want, strict=True))


# What each runtime does with each shape (docs/serving.md has this table): "same" is the
# predictions of modelspec's own copy; otherwise the HTTP status of the refusal.
OUTCOMES: dict[str, dict[str, str | int]] = {
    # KServe builds a DataFrame from each object of `instances` on its own, which fails for an
    # object of scalars, and predicts on the first V2 input alone unless the codec is `pd`
    "kserve-sklearnserver": {
        "v1 lists": "same",
        "v1 objects": 500,
        "v2 FP64 tensor": "same",
        "v2 per feature (pandas codec)": "same",
        "v2 per feature (no content type)": 500,
        "mlflow dataframe_split": 404,
    },
    "mlserver": {  # V2 only; its numpy codec takes one input
        "v1 lists": 404,
        "v1 objects": 404,
        "v2 FP64 tensor": "same",
        "v2 per feature (pandas codec)": "same",
        "v2 per feature (no content type)": 400,
        "mlflow dataframe_split": 404,
    },
    "modelspec-serve": {**dict.fromkeys(SHAPES, "same"), "mlflow dataframe_split": 404},
    # MLflow enforces the MLmodel signature by column name: records and dataframe_split pass
    "mlflow": {
        "v1 lists": 400,
        "v1 objects": "same",
        "v2 FP64 tensor": 400,
        "v2 per feature (pandas codec)": 400,
        "v2 per feature (no content type)": 400,
        "mlflow dataframe_split": "same",
    },
}
RUNTIMES = {
    "kserve-sklearnserver": kserve_sklearnserver,
    "mlserver": mlserver,
    "modelspec-serve": modelspec_serve,
    "mlflow": mlflow_serve,
}


def _ready_url(runtime: str, port: int, name: str) -> str:
    if runtime == "mlflow":
        return f"http://127.0.0.1:{port}/ping"
    return f"http://127.0.0.1:{port}/v2/models/{name}/ready"


@pytest.mark.parametrize("runtime", list(RUNTIMES))
def test_the_deployed_build_is_served_at_the_path_its_inference_service_names(
    applied: Path, runtime: str
) -> None:
    folder, digest = _storage_dir(applied, STAGING)
    signature = json.loads((folder / "signature.json").read_text())
    features = [i["name"] for i in signature["inputs"]]
    rows = _rows(applied, "breast_cancer.csv", signature)
    want = _expected(folder, applied, rows, features)
    assert set(want) == {True, False}, "the rows should hold both classes"
    command, env, port = RUNTIMES[runtime](folder, STAGING, digest)
    ready = _ready_url(runtime, port, STAGING)
    outcomes: dict[str, str | int] = {}
    with running(command, ready, env=env):
        for shape in SHAPES:
            got = _ask(port, STAGING, runtime, shape, features, rows)
            if isinstance(got, tuple):
                outcomes[shape] = got[0]
            else:
                outcomes[shape] = "same" if _same(got, want) else f"differs: {got}"
    assert outcomes == OUTCOMES[runtime]


@pytest.mark.parametrize("runtime", list(RUNTIMES))
def test_a_regressor_with_a_text_feature_gives_the_same_numbers(applied: Path, runtime: str) -> None:
    state = json.loads((applied / ".modelspec/state.json").read_text())
    build = state["resources"][f"model.{REGRESSOR}"]["outputs"]["build"]
    folder = applied / ".modelspec/registry" / REGRESSOR / build
    signature = json.loads((folder / "signature.json").read_text())
    features = [i["name"] for i in signature["inputs"]]
    assert any(i["kind"] == "categorical" for i in signature["inputs"]), "a text feature is covered"
    rows = _rows(applied, "diabetes.csv", signature)
    want = _expected(folder, applied, rows, features)
    digest = state["resources"][f"model.{REGRESSOR}"]["outputs"]["builds"][build]["manifest.json"]
    command, env, port = RUNTIMES[runtime](folder, "diabetes", digest)
    shape = "mlflow dataframe_split" if runtime == "mlflow" else "v2 per feature (pandas codec)"
    with running(command, _ready_url(runtime, port, "diabetes"), env=env):
        got = _ask(port, "diabetes", runtime, shape, features, rows)
    assert _same(got, want), f"{got} != {want}"
