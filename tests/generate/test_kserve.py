"""Tests for the KServe InferenceService renderer, checked against KServe's CRD schema."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from render_outputs import DEPLOYED

from modelspec.compile.graph import Resource
from modelspec.generate import RenderContext, render

MakeDeployment = Callable[..., tuple[Resource, dict[str, Resource]]]
Validate = Callable[[dict[str, Any]], list[str]]

HOSTILE = "x: 1\nkind: Secret\n---\n{{ 7*7 }} \"quoted\" 'single' #not-a-comment yes"


def _isvc(make: MakeDeployment, ctx: RenderContext, **kwargs: Any) -> tuple[dict[str, Any], bytes]:
    deployment, refs = make(**kwargs)
    artifacts = render(deployment, refs, ctx, DEPLOYED)
    [artifact] = [a for a in artifacts if a.path.endswith("inferenceservice.yaml")]
    assert artifact.path == "deployments/churn-prod/inferenceservice.yaml"
    document: dict[str, Any] = yaml.safe_load(artifact.content)
    return document, artifact.content


def test_inference_service_carries_the_deployment(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, _refs = make_deployment()
    document, _ = _isvc(make_deployment, ctx)
    assert document["apiVersion"] == "serving.kserve.io/v1beta1"
    assert document["kind"] == "InferenceService"
    metadata = document["metadata"]
    assert metadata["name"] == "churn-prod"
    assert metadata["namespace"] == "ml-prod"
    assert metadata["labels"]["app.kubernetes.io/managed-by"] == "modelspec"
    assert metadata["labels"]["modelspec.dev/model"] == "churn-classifier"
    assert metadata["labels"]["modelspec.dev/model-version"] == "2.1.0"
    assert metadata["annotations"]["modelspec.dev/spec-digest"] == deployment.digest
    assert metadata["annotations"]["serving.kserve.io/deploymentMode"] == "Serverless"
    assert metadata["annotations"]["modelspec.dev/model-build"] == "2.1.0+3"
    assert metadata["annotations"]["modelspec.dev/model-build-digest"] == "sha256:" + "ab" * 32
    assert metadata["annotations"]["modelspec.dev/trained-with"] == "scikit-learn 1.9.1"
    assert document["spec"] == {
        "predictor": {
            "minReplicas": 2,
            "maxReplicas": 10,
            "scaleMetric": "rps",
            "scaleTarget": 50,
            "canaryTrafficPercent": 10,
            "model": {
                "modelFormat": {"name": "sklearn", "version": "1"},
                "protocolVersion": "v2",
                "runtime": "kserve-sklearnserver",
                "runtimeVersion": "v0.21.0",
                # the exact build apply deployed: the folder the registry holds it in
                "storageUri": "pvc://modelspec-registry/churn-classifier/2.1.0+3",
                "resources": {
                    "requests": {"cpu": "500m", "memory": "1Gi"},
                    "limits": {"cpu": "500m", "memory": "1Gi"},
                },
            },
        }
    }


def test_direct_cpu_scaled_service_runs_as_raw_deployment(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    document, _ = _isvc(
        make_deployment,
        ctx,
        rollout={"strategy": "direct"},
        autoscaling={"metric": "cpu", "target": 70},
    )
    predictor = document["spec"]["predictor"]
    assert "canaryTrafficPercent" not in predictor
    assert (predictor["scaleMetric"], predictor["scaleTarget"]) == ("cpu", 70)
    assert (
        document["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "RawDeployment"
    )


def test_shadow_is_a_dark_launch_with_tag_routing(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    document, _ = _isvc(make_deployment, ctx, rollout={"strategy": "shadow"})
    assert document["spec"]["predictor"]["canaryTrafficPercent"] == 0
    annotations = document["metadata"]["annotations"]
    assert annotations["serving.kserve.io/enable-tag-routing"] == "true"
    assert annotations["modelspec.dev/rollout-strategy"] == "shadow"


def test_defaults_apply_when_optional_sections_are_absent(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment(namespace=None)
    spec = {"model": "churn-classifier", "target": "prod"}
    bare = Resource(
        kind="Deployment",
        name=deployment.name,
        normalized={**deployment.normalized, "spec": spec},
        digest="sha256:0",
        depends_on=(),
    )
    [artifact] = [a for a in render(bare, refs, ctx, DEPLOYED) if a.path.endswith("inferenceservice.yaml")]
    document = yaml.safe_load(artifact.content)
    assert "namespace" not in document["metadata"]
    predictor = document["spec"]["predictor"]
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (1, 1)
    assert not {"scaleMetric", "scaleTarget", "canaryTrafficPercent"} & predictor.keys()
    assert "resources" not in predictor["model"]


def test_rendering_twice_gives_identical_bytes(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    _, first = _isvc(make_deployment, ctx)
    _, second = _isvc(make_deployment, ctx)
    assert first == second


def test_hostile_metadata_round_trips_literally(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    labels = {"team": HOSTILE, "yes": "null"}
    metadata = {"description": HOSTILE, "owner": "- owner: root", "labels": labels}
    document, content = _isvc(make_deployment, ctx, metadata=metadata)
    annotations = document["metadata"]["annotations"]
    assert annotations["modelspec.dev/description"] == HOSTILE
    assert annotations["modelspec.dev/owner"] == "- owner: root"
    assert json.loads(annotations["modelspec.dev/labels"]) == labels
    assert set(document) == {"apiVersion", "kind", "metadata", "spec"}
    assert set(document["metadata"]) == {"name", "namespace", "labels", "annotations"}
    assert content.count(b"\n---") == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"rollout": {"strategy": "direct"}, "autoscaling": {"metric": "cpu", "target": 70}},
        {"rollout": {"strategy": "shadow"}, "autoscaling": {"metric": "concurrency", "target": 4}},
        {"namespace": None, "metadata": {"description": HOSTILE, "labels": {"a": "b"}}},
    ],
)
def test_inference_service_matches_kserve_schema(
    make_deployment: MakeDeployment,
    ctx: RenderContext,
    validate_kserve: Validate,
    overrides: dict[str, Any],
) -> None:
    document, _ = _isvc(make_deployment, ctx, **overrides)
    assert validate_kserve(document) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("spec", "predictor", "minReplica"), 1),
        (("spec", "predictor", "model", "storageURI"), "pvc://x"),
        (("spec", "predictor", "scaleMetric"), "latency"),
        (("spec", "predictors"), {}),
    ],
)
def test_kserve_schema_rejects_misspelt_fields(
    make_deployment: MakeDeployment,
    ctx: RenderContext,
    validate_kserve: Validate,
    path: tuple[str, ...],
    value: Any,
) -> None:
    document, _ = _isvc(make_deployment, ctx)
    broken = copy.deepcopy(document)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert validate_kserve(broken) != []


def test_a_deployment_renders_nothing_until_a_build_is_deployed(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment()
    assert render(deployment, refs, ctx) == []
    assert render(deployment, refs, ctx, {"model_version": "2.1.0"}) == []


def test_a_new_build_changes_the_manifest(make_deployment: MakeDeployment, ctx: RenderContext) -> None:
    deployment, refs = make_deployment()
    before = render(deployment, refs, ctx, DEPLOYED)
    after = render(deployment, refs, ctx, {**DEPLOYED, "model_build": "2.1.0+4"})
    [isvc] = [a for a in after if a.path.endswith("inferenceservice.yaml")]
    assert b"storageUri: pvc://modelspec-registry/churn-classifier/2.1.0+4" in isvc.content
    assert {a.path: a.digest for a in before} != {a.path: a.digest for a in after}
