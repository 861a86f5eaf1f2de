"""Tests for the plain Kubernetes manifests, checked with kubernetes-validate against 1.30."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import kubernetes_validate
import pytest
import yaml

from modelspec.compile.graph import Resource
from modelspec.generate import RenderContext, render
from modelspec.generate.kubernetes import (
    CONCURRENCY_METRIC,
    REGISTRY_MOUNT,
    RPS_METRIC,
    SERVING_PORT,
)

MakeDeployment = Callable[..., tuple[Resource, dict[str, Resource]]]

HOSTILE = 'ok\nspec:\n  replicas: 999\n\'"{{ 7*7 }}" yes: no # 1e3'


def _documents(make: MakeDeployment, ctx: RenderContext, **kwargs: Any) -> dict[str, Any]:
    deployment, refs = make(platform="kubernetes", **kwargs)
    return {a.path: yaml.safe_load(a.content) for a in render(deployment, refs, ctx)}


def test_online_deployment_renders_deployment_service_and_hpa(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    documents = _documents(make_deployment, ctx)
    base = "deployments/churn-prod/"
    assert sorted(documents) == [
        base + "deployment.yaml",
        base + "hpa.yaml",
        base + "prometheusrule.yaml",
        base + "service.yaml",
    ]
    deployment = documents[base + "deployment.yaml"]
    assert deployment["metadata"]["namespace"] == "ml-prod"
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"]["rollingUpdate"] == {"maxSurge": "10%", "maxUnavailable": 0}
    template = spec["template"]
    assert spec["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
    [container] = template["spec"]["containers"]
    assert container["image"] == "ghcr.io/acme/modelspec:1.0"
    assert container["command"] == ["modelspec", "serve"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["MODEL_URI"] == "pvc://modelspec-registry/churn-classifier/2.1.0"
    assert env["MODELSPEC_BUILD_DIR"] == f"{REGISTRY_MOUNT}/churn-classifier/2.1.0"
    assert env["MODELSPEC_DEPLOYMENT"] == "churn-prod"
    assert container["args"] == ["--host", "0.0.0.0", "--port", str(SERVING_PORT)]
    assert container["ports"][0]["containerPort"] == SERVING_PORT
    probes = {k: container[k]["httpGet"] for k in ("livenessProbe", "readinessProbe")}
    assert probes == {
        "livenessProbe": {"path": "/healthz", "port": "http"},
        "readinessProbe": {"path": "/readyz", "port": "http"},
    }
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["limits"] == {"cpu": "500m", "memory": "1Gi"}

    service = documents[base + "service.yaml"]
    assert service["spec"]["selector"] == spec["selector"]["matchLabels"]

    hpa = documents[base + "hpa.yaml"]["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "churn-prod",
    }
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    assert hpa["metrics"] == [
        {
            "type": "Pods",
            "pods": {
                "metric": {"name": RPS_METRIC},
                "target": {"type": "AverageValue", "averageValue": "50"},
            },
        }
    ]


@pytest.mark.parametrize(
    ("autoscaling", "expected"),
    [
        (
            {"metric": "cpu", "target": 65},
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 65},
                },
            },
        ),
        (
            {"metric": "concurrency", "target": 4},
            {
                "type": "Pods",
                "pods": {
                    "metric": {"name": CONCURRENCY_METRIC},
                    "target": {"type": "AverageValue", "averageValue": "4"},
                },
            },
        ),
        (
            {},
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 80},
                },
            },
        ),
    ],
)
def test_hpa_metric_follows_autoscaling(
    make_deployment: MakeDeployment,
    ctx: RenderContext,
    autoscaling: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    documents = _documents(make_deployment, ctx, autoscaling=autoscaling)
    assert documents["deployments/churn-prod/hpa.yaml"]["spec"]["metrics"] == [expected]


def test_batch_deployment_renders_a_scoring_cronjob(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    documents = _documents(make_deployment, ctx, mode="batch", schedule="0 2 * * *", monitoring={})
    assert list(documents) == ["deployments/churn-prod/cronjob.yaml"]
    cron = documents["deployments/churn-prod/cronjob.yaml"]
    assert cron["spec"]["schedule"] == "0 2 * * *"
    [container] = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["modelspec", "run-step", "score", "--deployment", "churn-prod"]


def test_batch_on_kserve_also_renders_a_cronjob(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment(
        platform="kserve", mode="batch", schedule="@daily", monitoring={}
    )
    assert [a.path for a in render(deployment, refs, ctx)] == [
        "deployments/churn-prod/cronjob.yaml"
    ]


def test_local_targets_render_nothing(make_deployment: MakeDeployment, ctx: RenderContext) -> None:
    for mode in ("online", "batch"):
        deployment, refs = make_deployment(platform="local", mode=mode, schedule="@daily")
        assert render(deployment, refs, ctx) == []


def test_rendering_twice_gives_identical_bytes(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment(platform="kubernetes")
    assert render(deployment, refs, ctx) == render(deployment, refs, ctx)


def test_hostile_metadata_round_trips_literally(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    metadata = {"description": HOSTILE, "owner": HOSTILE}
    documents = _documents(make_deployment, ctx, metadata=metadata)
    for document in documents.values():
        annotations = document["metadata"]["annotations"]
        assert annotations["modelspec.dev/description"] == HOSTILE
        assert annotations["modelspec.dev/owner"] == HOSTILE
        assert set(document) == {"apiVersion", "kind", "metadata", "spec"}
    assert documents["deployments/churn-prod/deployment.yaml"]["spec"]["replicas"] == 2


CASES = [
    {},
    {
        "namespace": None,
        "rollout": {"strategy": "direct"},
        "autoscaling": {"metric": "cpu", "target": 70},
    },
    {"autoscaling": {"metric": "concurrency", "target": 4}, "resources": {}},
    {"mode": "batch", "schedule": "*/15 * * * *", "metadata": {"description": HOSTILE}},
]


@pytest.mark.parametrize("overrides", CASES)
def test_manifests_match_the_kubernetes_schemas(
    make_deployment: MakeDeployment, ctx: RenderContext, overrides: dict[str, Any]
) -> None:
    documents = _documents(make_deployment, ctx, **overrides)
    core = [d for d in documents.values() if d["kind"] != "PrometheusRule"]
    assert core
    for document in core:
        kubernetes_validate.validate(document, "1.30", strict=True)


@pytest.mark.parametrize(
    ("file", "path"),
    [
        ("deployment.yaml", ("spec", "replica")),
        ("service.yaml", ("spec", "ports", 0, "targetPortt")),
        ("hpa.yaml", ("spec", "minReplica")),
    ],
)
def test_kubernetes_schema_rejects_misspelt_fields(
    make_deployment: MakeDeployment, ctx: RenderContext, file: str, path: tuple[Any, ...]
) -> None:
    document = copy.deepcopy(_documents(make_deployment, ctx)[f"deployments/churn-prod/{file}"])
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(document, "1.30", strict=True)


def test_cronjob_schema_rejects_a_misspelt_field(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    documents = _documents(make_deployment, ctx, mode="batch", schedule="@daily", monitoring={})
    cron = documents["deployments/churn-prod/cronjob.yaml"]
    cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicyy"] = "Never"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(cron, "1.30", strict=True)
