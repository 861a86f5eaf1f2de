"""The flattened view serving artifacts render from (a Deployment with its model and target)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from modelspec.compile.graph import Resource
from modelspec.compile.roles import Role
from modelspec.compile.views import DeploymentView, ModelView, TargetView
from modelspec.generate.common import (
    MANAGED_BY,
    RenderContext,
    label_value,
    quantity,
    registry_volume,
)

__all__ = ["ServingView", "deployment_view", "model_annotations", "require_ref"]


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def require_ref(resource: Resource, refs: Mapping[str, Resource], role: Role) -> Resource:
    """The referenced resource in `role`; compile guarantees it, so a gap is a bug."""
    ref = refs.get(role)
    if ref is None:
        raise ValueError(f"{resource.address}: no {role!r} reference to render with")
    return ref


def model_annotations(resource: Resource) -> dict[str, str]:
    """Annotations that trace an object back to its spec: digest, owner, description, labels."""
    metadata = resource.metadata
    annotations = {"modelspec.dev/spec-digest": resource.digest}
    owner = _str(metadata.get("owner"))
    if owner:
        annotations["modelspec.dev/owner"] = owner
    description = _str(metadata.get("description"))
    if description:
        annotations["modelspec.dev/description"] = description
    labels = metadata.get("labels")
    if isinstance(labels, Mapping) and labels:
        # Spec labels need not be valid Kubernetes labels, so they travel as one JSON value.
        annotations["modelspec.dev/labels"] = json.dumps(
            dict(labels), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
    return annotations


@dataclass(frozen=True)
class ServingView:
    """A Deployment with its model and target, flattened to what artifacts use (DESIGN.md defaults)."""

    name: str
    namespace: str | None
    platform: str  # local | kubernetes | kserve
    mode: str  # online | batch
    schedule: str | None
    min_replicas: int
    max_replicas: int
    scale_metric: str | None  # rps | concurrency | cpu; None when the spec sets no autoscaling
    scale_target: int | None
    cpu: str | None
    memory: str | None
    strategy: str  # direct | canary | shadow
    canary_percent: int
    latency_p95_ms: float | None
    error_rate_max: float | None
    on_breach: str  # alert | retrain | rollback
    model_name: str
    model_version: str
    build: str | None  # the build served ("1.0.0+1"); None until one is registered and deployed
    build_digest: str | None  # sha256 of that build's manifest.json, which lists every file's
    registry_uri: str  # e.g. "pvc://modelspec-registry"
    labels: dict[str, str]
    annotations: dict[str, str]
    sklearn_version: str | None = None  # what the build was trained with (versions.json)
    storage_path: str | None = None  # the build's folder in an MLflow artifact store (recorded)

    @property
    def build_subpath(self) -> str:
        """The build's folder inside the registry: `<model>/<build>`."""
        return f"{self.model_name}/{self.build}"

    @property
    def model_uri(self) -> str:
        """Where runtimes load the build from: `<registry_uri>/<model>/<build>` (with the MLflow
        registry backend, the version's artifact folder in the store registry_uri names)."""
        return f"{self.registry_uri.rstrip('/')}/{self.storage_path or self.build_subpath}"

    @property
    def registry_claim(self) -> str | None:
        """The PersistentVolumeClaim holding the registry, when registry_uri is `pvc://<claim>[/...]`."""
        volume = registry_volume(self.registry_uri)
        return volume[0] if volume else None

    @property
    def registry_subpath(self) -> str:
        """The registry's folder inside its claim ("" at the claim's root)."""
        volume = registry_volume(self.registry_uri)
        return volume[1] if volume else ""

    @property
    def resources(self) -> dict[str, dict[str, str]]:
        """Container requests and limits (equal: a model server's footprint is predictable)."""
        amounts = {k: v for k, v in (("cpu", self.cpu), ("memory", self.memory)) if v is not None}
        return {"limits": dict(amounts), "requests": dict(amounts)} if amounts else {}

    @property
    def selector(self) -> dict[str, str]:
        return {"app.kubernetes.io/managed-by": MANAGED_BY, "modelspec.dev/deployment": self.name}


def deployment_view(
    resource: Resource,
    refs: Mapping[str, Resource],
    ctx: RenderContext,
    outputs: Mapping[str, Any] | None = None,
) -> ServingView:
    """The view of a deployment; outputs are what apply recorded for it (the build it serves)."""
    spec = resource.spec
    recorded = outputs or {}
    build = recorded.get("model_build")
    digest = recorded.get("model_build_digest")
    trained_with = recorded.get("sklearn_version")
    storage_path = recorded.get("model_storage_path")
    model = ModelView(require_ref(resource, refs, Role.MODEL))
    target = TargetView(require_ref(resource, refs, Role.TARGET))
    replicas = _section(spec, "replicas")
    autoscaling = _section(spec, "autoscaling")
    resources = _section(spec, "resources")
    rollout = _section(spec, "rollout")
    monitoring = _section(spec, "monitoring")
    min_replicas = _int(replicas.get("min"), 1)
    metric = autoscaling.get("metric")
    target_value = _number(autoscaling.get("target"))
    version = model.version if model.version is not None else "0.0.0"
    cpu, memory = resources.get("cpu"), resources.get("memory")
    labels = {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/part-of": label_value(ctx.project),
        "modelspec.dev/deployment": resource.name,
        "modelspec.dev/model": model.name,
        "modelspec.dev/model-version": label_value(version),
    }
    annotations = model_annotations(resource)
    annotations["modelspec.dev/model-version"] = version
    return ServingView(
        name=resource.name,
        namespace=target.namespace,
        platform=target.platform,
        mode=DeploymentView(resource).mode,
        schedule=_str(spec.get("schedule")) or None,
        min_replicas=min_replicas,
        max_replicas=max(_int(replicas.get("max"), min_replicas), min_replicas),
        scale_metric=metric if isinstance(metric, str) else None,
        scale_target=None if target_value is None else max(1, round(target_value)),
        cpu=None if cpu is None else quantity(cpu),
        memory=None if memory is None else quantity(memory),
        strategy=_str(rollout.get("strategy"), "direct"),
        canary_percent=_int(rollout.get("canary_percent"), 10),
        latency_p95_ms=_number(monitoring.get("latency_p95_ms")),
        error_rate_max=_number(monitoring.get("error_rate_max")),
        on_breach=_str(monitoring.get("on_breach"), "alert"),
        model_name=model.name,
        model_version=version,
        build=build if isinstance(build, str) else None,
        build_digest=digest if isinstance(digest, str) else None,
        registry_uri=ctx.registry_uri,
        sklearn_version=trained_with if isinstance(trained_with, str) else None,
        storage_path=storage_path if isinstance(storage_path, str) and storage_path else None,
        labels=labels,
        annotations=annotations,
    )
