"""Plain Kubernetes manifests: Deployment, Service and HPA for online serving, CronJob for batch.

The serving container is the project's image (`pipelines.image`) running
`modelspec serve`: MLServer with modelspec's runtime (serving/runtime.py),
V2 and KServe V1 REST on port 8080 (`http`) and Prometheus metrics on 8082
(`metrics`, path `/metrics`). It serves the exact build apply deployed
(`MODELSPEC_BUILD_DIR`, `<REGISTRY_MOUNT>/<model>/<build>`) under the
deployment's name (`MODELSPEC_MODEL_NAME`, what clients use), and verifies
it against `MODELSPEC_BUILD_DIGEST`, the sha256 of the build's manifest.json:
this manifest, from git, is the trust root where no state file exists. The
registry is a volume of the pod: the PersistentVolumeClaim of a
`pvc://<claim>[/<path>]` registry URI, mounted read-only at REGISTRY_MOUNT;
for any other URI (s3://, gs://, ...) an emptyDir that KServe's
storage-initializer fills with the build before the server starts. The
probes are MLServer's V2 health endpoints: the server listens only once the
build is verified and loaded, and readiness is `/v2/health/ready`. The
Service maps port 80 to `http` and exposes `metrics`.

Autoscaling (autoscaling/v2 HorizontalPodAutoscaler between the replica
bounds): `cpu` scales on average CPU utilisation (percent of the request);
`rps` and `concurrency` on the per-pod custom metrics
`modelspec_requests_per_second` and `modelspec_inflight_requests`, which a
metrics adapter (e.g. prometheus-adapter, from MLServer's
`rest_server_requests_total` and `rest_server_requests_in_progress`) must
serve. Without autoscaling in the spec the HPA targets 80% CPU.

Rollout on plain Kubernetes is a rolling update that never drops below the
current capacity; `canary` limits the surge to canary_percent of the
replicas. Plain Kubernetes cannot split or mirror traffic, so `shadow` rolls
out like `direct`; both strategies are recorded in the
`modelspec.dev/rollout-strategy` annotation.

Batch deployments become a CronJob running `modelspec run-step score` on the
spec's schedule with the same registry volume and build environment, and a
ConfigMap beside it (`project.yaml`) carrying the project bundle
(generate/bundle.py) its pod scores in; the scores go to the
`modelspec-scores` claim, one file per run (docs/serving.md, "Batch scoring
on a cluster").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelspec.compile.address import Address
from modelspec.compile.graph import Resource
from modelspec.compile.roles import Role
from modelspec.generate.bundle import (
    bundle_key,
    data_mount,
    data_path,
    data_volume,
    deployment_bundle,
    runner_security_context,
)
from modelspec.generate.common import Artifact, RenderContext, yaml_artifact
from modelspec.generate.views import ServingView

__all__ = [
    "CONCURRENCY_METRIC",
    "METRICS_PORT",
    "PROJECT_MOUNT",
    "REGISTRY_MOUNT",
    "RPS_METRIC",
    "SCORES_CLAIM",
    "SCORES_MOUNT",
    "SERVING_PORT",
    "STORAGE_INITIALIZER",
    "cron_job",
    "deployment",
    "horizontal_pod_autoscaler",
    "project_config_map",
    "render_batch",
    "render_online",
    "service",
]

SERVING_PORT = 8080
METRICS_PORT = 8082  # MLServer's metrics port (serving/server.py METRICS_PORT)
REGISTRY_MOUNT = "/var/lib/modelspec/registry"
REGISTRY_VOLUME = "registry"
PROJECT_MOUNT = "/var/lib/modelspec/project"  # the batch pod's MODELSPEC_PROJECT_DIR (an emptyDir)
SCORES_MOUNT = "/var/lib/modelspec/scores"
SCORES_CLAIM = "modelspec-scores"  # where batch scores outlive the pod (read-write)
# fetches a non-PVC storage URI into the pod (KServe's own init container, same release as
# the sklearn runtime kserve.py renders)
STORAGE_INITIALIZER = "kserve/storage-initializer:v0.21.0"
RPS_METRIC = "modelspec_requests_per_second"
CONCURRENCY_METRIC = "modelspec_inflight_requests"
DEFAULT_CPU_UTILIZATION = 80


def _metadata(view: ServingView) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": view.name,
        "labels": view.labels,
        "annotations": {**view.annotations, "modelspec.dev/rollout-strategy": view.strategy},
    }
    if view.build:
        metadata["annotations"]["modelspec.dev/model-build"] = view.build
    if view.build_digest:
        metadata["annotations"]["modelspec.dev/model-build-digest"] = view.build_digest
    if view.namespace:
        metadata["namespace"] = view.namespace
    return metadata


def _build_dir(view: ServingView) -> str:
    return f"{REGISTRY_MOUNT}/{view.build_subpath}"


def _env(view: ServingView) -> list[dict[str, str]]:
    env = [{"name": "MODELSPEC_BUILD_DIR", "value": _build_dir(view)}]
    if view.build_digest:
        env.append({"name": "MODELSPEC_BUILD_DIGEST", "value": view.build_digest})
    env += [
        {"name": "MODELSPEC_DEPLOYMENT", "value": view.name},
        {"name": "MODELSPEC_MODEL_NAME", "value": view.name},
        {"name": "MODELSPEC_REGISTRY_DIR", "value": REGISTRY_MOUNT},
        {"name": "MODELSPEC_REGISTRY_URI", "value": view.registry_uri},
    ]
    return env


def _probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 2,
        "failureThreshold": failures,
    }


def _registry_mount(view: ServingView) -> dict[str, Any]:
    mount: dict[str, Any] = {"name": REGISTRY_VOLUME, "mountPath": REGISTRY_MOUNT, "readOnly": True}
    if view.registry_claim and view.registry_subpath:
        mount["subPath"] = view.registry_subpath
    return mount


def _pod_spec(view: ServingView, container: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A pod running container with the registry as a volume: the claim of a pvc:// registry,
    else an emptyDir the storage-initializer fills with the build first."""
    container["volumeMounts"] = [_registry_mount(view)]
    spec: dict[str, Any] = dict(extra)
    if view.registry_claim:
        source: dict[str, Any] = {
            "persistentVolumeClaim": {"claimName": view.registry_claim, "readOnly": True}
        }
    else:
        source = {"emptyDir": {}}
        spec["initContainers"] = [
            {
                "name": "storage-initializer",
                "image": STORAGE_INITIALIZER,
                "args": [view.model_uri, _build_dir(view)],
                "volumeMounts": [
                    {"name": REGISTRY_VOLUME, "mountPath": REGISTRY_MOUNT}
                ],
            }
        ]
    spec["containers"] = [container]
    spec["volumes"] = [{"name": REGISTRY_VOLUME, **source}]
    return spec


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
    container["args"] = [
        "--host", "0.0.0.0", "--port", str(SERVING_PORT), "--metrics-port", str(METRICS_PORT),
    ]
    container["ports"] = [
        {"name": "http", "containerPort": SERVING_PORT, "protocol": "TCP"},
        {"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
    ]
    # verifying and loading the build comes before the server listens: the startup probe
    # allows 120 s for it (measured: 5-14 s to ready for the example on 2 busy cores)
    container["startupProbe"] = _probe("/v2/health/live", period=2, failures=60)
    container["livenessProbe"] = _probe("/v2/health/live", period=10, failures=3)
    container["readinessProbe"] = _probe("/v2/health/ready", period=5, failures=1)
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
                "spec": _pod_spec(view, container, terminationGracePeriodSeconds=30),
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
            "ports": [
                {"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"},
                {"name": "metrics", "port": METRICS_PORT, "protocol": "TCP", "targetPort": "metrics"},
            ],
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


def _config_map_name(view: ServingView) -> str:
    return f"{view.name}-project"


def project_config_map(view: ServingView, bundle: Mapping[str, str]) -> dict[str, Any]:
    """The bundle as a ConfigMap; it names no build, so a new build does not change it."""
    metadata = _metadata(view)
    metadata["name"] = _config_map_name(view)
    for key in ("modelspec.dev/model-build", "modelspec.dev/model-build-digest"):
        metadata["annotations"].pop(key, None)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata,
        "data": {bundle_key(path): text for path, text in bundle.items()},
    }


def _batch_volumes(
    view: ServingView, bundle: Mapping[str, str], data: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(volumes, mounts) a scoring pod adds to the registry's: the project folder with the
    bundle's files and the data file in it (read-only), and the scores claim."""
    volumes: list[dict[str, Any]] = [
        {"name": "project", "emptyDir": {}},
        {"name": "bundle", "configMap": {"name": _config_map_name(view)}},
    ]
    mounts: list[dict[str, Any]] = [{"name": "project", "mountPath": PROJECT_MOUNT}]
    mounts += [
        {
            "name": "bundle",
            "mountPath": f"{PROJECT_MOUNT}/{path}",
            "subPath": bundle_key(path),
            "readOnly": True,
        }
        for path in bundle
    ]
    if data is not None:
        volumes.append(data_volume())
        mounts.append(data_mount(PROJECT_MOUNT, data))
    volumes.append({"name": "scores", "persistentVolumeClaim": {"claimName": SCORES_CLAIM}})
    mounts.append({"name": "scores", "mountPath": SCORES_MOUNT})
    return volumes, mounts


def cron_job(
    view: ServingView, ctx: RenderContext, bundle: Mapping[str, str], data: str | None
) -> dict[str, Any]:
    """The CronJob scoring with the deployed build; bundle is the deployment's bundle (the
    ConfigMap project_config_map renders), data the contract's source path (bundle.data_path)."""
    if view.schedule is None:
        raise ValueError(f"{Address.of('Deployment', view.name)}: a batch deployment needs a schedule")
    command = [
        "modelspec", "run-step", "score", "--deployment", view.name, "--output", SCORES_MOUNT,
    ]
    container = _container(view, ctx, "score", command)
    project_dir = {"name": "MODELSPEC_PROJECT_DIR", "value": PROJECT_MOUNT}
    container["env"] = sorted([*container["env"], project_dir], key=lambda item: item["name"])
    container["workingDir"] = PROJECT_MOUNT
    pod = _pod_spec(
        view,
        container,
        restartPolicy="Never",
        securityContext=runner_security_context(),  # the scores claim is the image user's
    )
    volumes, mounts = _batch_volumes(view, bundle, data)
    pod["volumes"] += volumes
    container["volumeMounts"] += mounts
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
                    "template": {"metadata": {"labels": view.labels}, "spec": pod},
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


def render_batch(
    view: ServingView, ctx: RenderContext, resource: Resource, refs: Mapping[str, Resource]
) -> list[Artifact]:
    """The CronJob of the Deployment resource and the ConfigMap carrying the project its pod
    scores in; refs as generate.render has them (cache.py render_refs)."""
    bundle = deployment_bundle(resource, refs, ctx)
    data = data_path(refs.get(Role.CONTRACT))
    base = f"deployments/{view.name}"
    return [
        yaml_artifact(f"{base}/cronjob.yaml", cron_job(view, ctx, bundle, data)),
        yaml_artifact(f"{base}/project.yaml", project_config_map(view, bundle)),
    ]
