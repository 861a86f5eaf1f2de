"""Plain Kubernetes manifests: Deployment, Service and HPA for online serving, CronJob for batch.

The serving container is the project's image (`pipelines.image`) running
`modelspec serve --host 0.0.0.0 --port 8080`. It loads the build named by
`MODELSPEC_BUILD_DIR`, `/var/lib/modelspec/registry/<model>/<version>` (the
version's latest build): the registry volume behind `MODEL_URI`
(`<registry_uri>/<model>/<version>`, kept for reference) must be mounted at
`/var/lib/modelspec/registry`. The server verifies every sha256 of the build
before loading it, answers KServe V1 predictions on port 8080, exposes
`/metrics` for Prometheus (labelled with `MODELSPEC_DEPLOYMENT`), and is probed
on `/healthz` (liveness) and `/readyz` (readiness). The Service maps port 80
to it.

Autoscaling (autoscaling/v2 HorizontalPodAutoscaler between the replica
bounds): `cpu` scales on average CPU utilisation (percent of the request);
`rps` and `concurrency` on the per-pod custom metrics
`modelspec_requests_per_second` and `modelspec_inflight_requests`, which a
metrics adapter (e.g. prometheus-adapter) must serve. Without autoscaling in
the spec the HPA targets 80% CPU.

Rollout on plain Kubernetes is a rolling update that never drops below the
current capacity; `canary` limits the surge to canary_percent of the
replicas. Plain Kubernetes cannot split or mirror traffic, so `shadow` rolls
out like `direct`; both strategies are recorded in the
`modelspec.dev/rollout-strategy` annotation.

Batch deployments become a CronJob running
`modelspec run-step score --deployment NAME` on the spec's schedule.
"""

from __future__ import annotations

from typing import Any

from modelspec.compile.address import Address
from modelspec.generate.common import Artifact, RenderContext, yaml_artifact
from modelspec.generate.views import ServingView

__all__ = [
    "CONCURRENCY_METRIC",
    "REGISTRY_MOUNT",
    "RPS_METRIC",
    "SERVING_PORT",
    "cron_job",
    "deployment",
    "horizontal_pod_autoscaler",
    "render_batch",
    "render_online",
    "service",
]

SERVING_PORT = 8080
REGISTRY_MOUNT = "/var/lib/modelspec/registry"
RPS_METRIC = "modelspec_requests_per_second"
CONCURRENCY_METRIC = "modelspec_inflight_requests"
DEFAULT_CPU_UTILIZATION = 80


def _metadata(view: ServingView) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": view.name,
        "labels": view.labels,
        "annotations": {**view.annotations, "modelspec.dev/rollout-strategy": view.strategy},
    }
    if view.namespace:
        metadata["namespace"] = view.namespace
    return metadata


def _env(view: ServingView) -> list[dict[str, str]]:
    return [
        {"name": "MODEL_URI", "value": view.model_uri},
        {"name": "MODELSPEC_DEPLOYMENT", "value": view.name},
    ]


def _probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 2,
        "failureThreshold": failures,
    }


def _container(
    view: ServingView, ctx: RenderContext, name: str, command: list[str]
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": ctx.image,
        "command": command,
        "env": _env(view),
    }
    if view.resources:
        container["resources"] = view.resources
    return container


def deployment(view: ServingView, ctx: RenderContext) -> dict[str, Any]:
    container = _container(view, ctx, "model", ["modelspec", "serve"])
    container["args"] = ["--host", "0.0.0.0", "--port", str(SERVING_PORT)]
    build_dir = f"{REGISTRY_MOUNT}/{view.model_name}/{view.model_version}"
    container["env"] = [*container["env"], {"name": "MODELSPEC_BUILD_DIR", "value": build_dir}]
    container["ports"] = [{"name": "http", "containerPort": SERVING_PORT, "protocol": "TCP"}]
    # loading and verifying the build takes a few seconds: the startup probe allows 60
    container["startupProbe"] = _probe("/healthz", period=2, failures=30)
    container["livenessProbe"] = _probe("/healthz", period=10, failures=3)
    container["readinessProbe"] = _probe("/readyz", period=5, failures=1)
    surge = f"{view.canary_percent}%" if view.strategy == "canary" else "25%"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(view),
        "spec": {
            "replicas": view.min_replicas,
            "selector": {"matchLabels": view.selector},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": surge, "maxUnavailable": 0},
            },
            "template": {
                "metadata": {"labels": view.labels},
                "spec": {"containers": [container]},
            },
        },
    }


def service(view: ServingView) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(view),
        "spec": {
            "selector": view.selector,
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
        },
    }


def _hpa_metric(view: ServingView) -> dict[str, Any]:
    if view.scale_metric in ("rps", "concurrency"):
        name = RPS_METRIC if view.scale_metric == "rps" else CONCURRENCY_METRIC
        return {
            "type": "Pods",
            "pods": {
                "metric": {"name": name},
                "target": {"type": "AverageValue", "averageValue": str(view.scale_target or 1)},
            },
        }
    utilization = view.scale_target if view.scale_metric == "cpu" else None
    return {
        "type": "Resource",
        "resource": {
            "name": "cpu",
            "target": {
                "type": "Utilization",
                "averageUtilization": utilization or DEFAULT_CPU_UTILIZATION,
            },
        },
    }


def horizontal_pod_autoscaler(view: ServingView) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(view),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": view.name},
            "minReplicas": view.min_replicas,
            "maxReplicas": view.max_replicas,
            "metrics": [_hpa_metric(view)],
        },
    }


def cron_job(view: ServingView, ctx: RenderContext) -> dict[str, Any]:
    if view.schedule is None:
        raise ValueError(f"{Address.of('Deployment', view.name)}: a batch deployment needs a schedule")
    command = ["modelspec", "run-step", "score", "--deployment", view.name]
    container = _container(view, ctx, "score", command)
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _metadata(view),
        "spec": {
            "schedule": view.schedule,
            "concurrencyPolicy": "Forbid",
            "jobTemplate": {
                "metadata": {"labels": view.labels},
                "spec": {
                    "backoffLimit": 2,
                    "template": {
                        "metadata": {"labels": view.labels},
                        "spec": {"restartPolicy": "Never", "containers": [container]},
                    },
                },
            },
        },
    }


def render_online(view: ServingView, ctx: RenderContext) -> list[Artifact]:
    base = f"deployments/{view.name}"
    return [
        yaml_artifact(f"{base}/deployment.yaml", deployment(view, ctx)),
        yaml_artifact(f"{base}/service.yaml", service(view)),
        yaml_artifact(f"{base}/hpa.yaml", horizontal_pod_autoscaler(view)),
    ]


def render_batch(view: ServingView, ctx: RenderContext) -> list[Artifact]:
    return [yaml_artifact(f"deployments/{view.name}/cronjob.yaml", cron_job(view, ctx))]
