"""Tests for the plain Kubernetes manifests, checked with kubernetes-validate against 1.30."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from render_outputs import DEPLOYED

from modelspec.compile.graph import Resource
from modelspec.generate import RenderContext, render
from modelspec.generate.kubernetes import (
    CONCURRENCY_METRIC,
    METRICS_PORT,
    PROJECT_MOUNT,
    REGISTRY_MOUNT,
    RPS_METRIC,
    SCORES_CLAIM,
    SCORES_MOUNT,
    SERVING_PORT,
)

MakeDeployment = Callable[..., tuple[Resource, dict[str, Resource]]]

HOSTILE = 'ok\nspec:\n  replicas: 999\n\'"{{ 7*7 }}" yes: no # 1e3'


def _documents(
    make: MakeDeployment, ctx: RenderContext, outputs: Any = DEPLOYED, **kwargs: Any
) -> dict[str, Any]:
    deployment, refs = make(platform="kubernetes", **kwargs)
    return {a.path: yaml.safe_load(a.content) for a in render(deployment, refs, ctx, outputs)}


def test_online_deployment_renders_deployment_service_and_hpa(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    documents = _documents(make_deployment, ctx)
    base = "deployments/churn-prod/"
    # the monitoring files beside them (PrometheusRule, PodMonitor) are tested in test_prometheus.py
    assert {base + f for f in ("deployment.yaml", "hpa.yaml", "service.yaml")} <= set(documents)
    deployment = documents[base + "deployment.yaml"]
    assert deployment["metadata"]["namespace"] == "ml-prod"
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"]["rollingUpdate"] == {"maxSurge": "10%", "maxUnavailable": 0}
    template = spec["template"]
    assert spec["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
    pod = template["spec"]
    [container] = pod["containers"]
    assert container["image"] == "ghcr.io/acme/modelspec:1.0"
    assert container["command"] == ["modelspec", "serve"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env == {
        "MODELSPEC_BUILD_DIR": f"{REGISTRY_MOUNT}/churn-classifier/2.1.0+3",
        "MODELSPEC_BUILD_DIGEST": DEPLOYED["model_build_digest"],
        "MODELSPEC_DEPLOYMENT": "churn-prod",
        "MODELSPEC_MODEL_NAME": "churn-prod",
        "MODELSPEC_REGISTRY_DIR": REGISTRY_MOUNT,
        "MODELSPEC_REGISTRY_URI": "pvc://modelspec-registry",
    }
    assert container["args"] == [
        "--host", "0.0.0.0", "--port", str(SERVING_PORT), "--metrics-port", str(METRICS_PORT),
    ]
    assert container["ports"] == [
        {"name": "http", "containerPort": SERVING_PORT, "protocol": "TCP"},
        {"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
    ]
    # the registry is the pod's own volume: the claim the registry URI names, read-only
    assert pod["volumes"] == [
        {"name": "registry", "persistentVolumeClaim": {"claimName": "modelspec-registry", "readOnly": True}}
    ]
    assert container["volumeMounts"] == [
        {"name": "registry", "mountPath": REGISTRY_MOUNT, "readOnly": True}
    ]
    probes = {k: container[k]["httpGet"] for k in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert probes == {
        "startupProbe": {"path": "/v2/health/live", "port": "http"},
        "livenessProbe": {"path": "/v2/health/live", "port": "http"},
        "readinessProbe": {"path": "/v2/health/ready", "port": "http"},
    }
    assert container["resources"]["limits"] == {"cpu": "500m", "memory": "1Gi"}
    annotations = deployment["metadata"]["annotations"]
    assert annotations["modelspec.dev/model-build"] == "2.1.0+3"
    assert annotations["modelspec.dev/model-build-digest"] == DEPLOYED["model_build_digest"]

    service = documents[base + "service.yaml"]
    assert service["spec"]["selector"] == spec["selector"]["matchLabels"]
    assert [(p["name"], p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [
        ("http", 80, "http"),
        ("metrics", METRICS_PORT, "metrics"),
    ]

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
    assert list(documents) == [
        "deployments/churn-prod/cronjob.yaml",
        "deployments/churn-prod/project.yaml",
    ]
    cron = documents["deployments/churn-prod/cronjob.yaml"]
    assert cron["spec"]["schedule"] == "0 2 * * *"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["command"] == [
        "modelspec", "run-step", "score", "--deployment", "churn-prod", "--output", SCORES_MOUNT,
    ]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["MODELSPEC_BUILD_DIR"] == f"{REGISTRY_MOUNT}/churn-classifier/2.1.0+3"
    assert env["MODELSPEC_BUILD_DIGEST"] == DEPLOYED["model_build_digest"]
    assert env["MODELSPEC_PROJECT_DIR"] == PROJECT_MOUNT == container["workingDir"]
    assert [item["name"] for item in container["env"]] == sorted(env)
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["registry"]["persistentVolumeClaim"] == {
        "claimName": "modelspec-registry", "readOnly": True
    }
    assert volumes["data"]["persistentVolumeClaim"] == {"claimName": "modelspec-data", "readOnly": True}
    assert volumes["scores"]["persistentVolumeClaim"] == {"claimName": SCORES_CLAIM}
    assert volumes["bundle"]["configMap"] == {"name": "churn-prod-project"}
    assert volumes["project"] == {"name": "project", "emptyDir": {}}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts[REGISTRY_MOUNT]["readOnly"] is True
    assert mounts[SCORES_MOUNT] == {"name": "scores", "mountPath": SCORES_MOUNT}
    assert mounts[f"{PROJECT_MOUNT}/data/churn.csv"] == {
        "name": "data", "mountPath": f"{PROJECT_MOUNT}/data/churn.csv",
        "subPath": "data/churn.csv", "readOnly": True,
    }
    config_map = documents["deployments/churn-prod/project.yaml"]
    assert config_map["metadata"]["name"] == "churn-prod-project"
    assert config_map["metadata"]["namespace"] == "ml-prod"
    assert "modelspec.dev/model-build-digest" not in config_map["metadata"]["annotations"]
    bundled = {
        m["mountPath"].removeprefix(PROJECT_MOUNT + "/"): m["subPath"]
        for m in container["volumeMounts"]
        if m["name"] == "bundle"
    }
    assert bundled == {
        "modelspec.yaml": "modelspec.yaml",
        "specs/datacontract/churn.yaml": "specs_datacontract_churn.yaml",
        "specs/deployment/churn-prod.yaml": "specs_deployment_churn-prod.yaml",
        "specs/model/churn-classifier.yaml": "specs_model_churn-classifier.yaml",
        "specs/target/prod.yaml": "specs_target_prod.yaml",
    }
    assert sorted(config_map["data"]) == sorted(bundled.values())
    assert all(m["readOnly"] for m in container["volumeMounts"] if m["name"] == "bundle")
    assert pod["securityContext"]["runAsUser"] == 10001 == pod["securityContext"]["fsGroup"]
    for document in documents.values():
        kubernetes_validate.validate(document, "1.30", strict=True)


def test_the_batch_bundle_compiles_back_to_the_deployment_with_its_promotion_chain(
    tmp_path: Path,
) -> None:
    """The ConfigMap's files, written where the pod mounts them, are a project whose graph has
    the deployment, its model and contract, and the targets its target is promoted from."""
    from modelspec.compile import load_graph
    from modelspec.examples.scaffold import init_project
    from modelspec.generate.cache import render_resource
    from modelspec.project import load_project

    root = tmp_path / "example"
    init_project(root)
    targets = root / "specs" / "targets.yaml"
    text = targets.read_text()
    old = "  platform: kubernetes\n  namespace: ml-batch\n"
    assert old in text
    targets.write_text(text.replace(old, old + "  promotion_from: prod\n"))
    project, _ = load_project(root)
    assert project is not None
    graph, diags = load_graph(project)
    assert not [d for d in diags if d.is_error], diags
    deployment = graph.get("deployment.diabetes-progression-batch")
    assert deployment is not None
    artifacts = {a.path: a for a in render_resource(deployment, graph, project, DEPLOYED)}
    config_map = yaml.safe_load(artifacts["deployments/diabetes-progression-batch/project.yaml"].content)
    cron = yaml.safe_load(artifacts["deployments/diabetes-progression-batch/cronjob.yaml"].content)
    [container] = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    pod_dir = tmp_path / "pod-project"
    for mount in container["volumeMounts"]:
        if mount["name"] == "bundle":
            path = pod_dir / mount["mountPath"].removeprefix(PROJECT_MOUNT + "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(config_map["data"][mount["subPath"]])
    bundled, _ = load_project(pod_dir)
    assert bundled is not None
    carried, diags = load_graph(bundled)
    assert not [d for d in diags if d.is_error], diags
    assert sorted(r.address for r in carried) == [
        "datacontract.diabetes-cohort",
        "deployment.diabetes-progression-batch",
        "model.diabetes-progression-regressor",
        "target.batch",
        "target.prod",
        "target.staging",
    ]
    for resource in carried:
        original = graph.get(resource.address)
        assert original is not None and resource.digest == original.digest


def test_a_registry_in_a_sub_folder_of_its_claim_is_mounted_with_a_sub_path(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    ctx = dataclasses.replace(ctx, registry_uri="pvc://shared-models/team-a/registry")
    documents = _documents(make_deployment, ctx)
    pod = documents["deployments/churn-prod/deployment.yaml"]["spec"]["template"]["spec"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "shared-models"
    assert pod["containers"][0]["volumeMounts"][0]["subPath"] == "team-a/registry"
    kubernetes_validate.validate(documents["deployments/churn-prod/deployment.yaml"], "1.30", strict=True)


def test_an_object_store_registry_is_fetched_by_an_init_container(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    ctx = dataclasses.replace(ctx, registry_uri="s3://acme-models/registry")
    document = _documents(make_deployment, ctx)["deployments/churn-prod/deployment.yaml"]
    pod = document["spec"]["template"]["spec"]
    assert pod["volumes"] == [{"name": "registry", "emptyDir": {}}]
    [init] = pod["initContainers"]
    assert init["args"] == [
        "s3://acme-models/registry/churn-classifier/2.1.0+3",
        f"{REGISTRY_MOUNT}/churn-classifier/2.1.0+3",
    ]
    kubernetes_validate.validate(document, "1.30", strict=True)


def test_nothing_is_rendered_before_a_build_is_deployed(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    assert _documents(make_deployment, ctx, outputs=None) == {}


def test_batch_on_kserve_also_renders_a_cronjob(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment(
        platform="kserve", mode="batch", schedule="@daily", monitoring={}
    )
    assert [a.path for a in render(deployment, refs, ctx, DEPLOYED)] == [
        "deployments/churn-prod/cronjob.yaml",
        "deployments/churn-prod/project.yaml",
    ]


def test_local_targets_render_nothing(make_deployment: MakeDeployment, ctx: RenderContext) -> None:
    for mode in ("online", "batch"):
        deployment, refs = make_deployment(platform="local", mode=mode, schedule="@daily")
        assert render(deployment, refs, ctx, DEPLOYED) == []


def test_rendering_twice_gives_identical_bytes(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment(platform="kubernetes")
    assert render(deployment, refs, ctx, DEPLOYED) == render(deployment, refs, ctx, DEPLOYED)


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
    core = [d for d in documents.values() if d["kind"] not in ("PrometheusRule", "PodMonitor")]
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
