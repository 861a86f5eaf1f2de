"""Artifacts rendered from compiled resources: one resource in, a sorted list of files out.

What each kind renders (paths relative to the project's generated/ dir):

- Model: `models/<model>/model-card.md` and `model-card.json` (Model Card
  Toolkit v0.0.2, with the metrics of the build last applied) always;
  `pipelines/<model>/workflow.yaml`
  (an Argo Workflow) when the pipeline engine is `argo`, and
  `pipelines/<model>/pipeline.yaml` (a KFP v2 pipeline) when it is
  `kubeflow`. The `local` engine runs the pipeline itself.
- Deployment, by its target's platform:
  - `kserve`, online: `deployments/<name>/inferenceservice.yaml`;
  - `kubernetes`, online: `deployment.yaml`, `service.yaml` and `hpa.yaml`;
  - `kserve` or `kubernetes`, batch: `deployments/<name>/cronjob.yaml` and
    `project.yaml` (the ConfigMap with the project bundle its pod scores in);
  - `kserve` or `kubernetes` with `monitoring.latency_p95_ms` or
    `monitoring.error_rate_max`: `deployments/<name>/prometheusrule.yaml`;
  - `kserve` or `kubernetes`, online: `deployments/<name>/podmonitor.yaml`
    (Prometheus Operator), so Prometheus scrapes the runtime's metrics.
  - Nothing until a build is deployed: the manifests name the exact build.
  - `local`: nothing. There is no cluster to apply manifests or a
    PrometheusRule to; a local deployment is served and monitored by the
    CLI (`modelspec monitor`) from the registry.
- DataContract: `contracts/<name>/expectations.json` (a Great Expectations
  suite) and `contracts/<name>/record.schema.json`.
- Target, Policy, Waiver, Approval: nothing.

Rendering is pure and deterministic: the same resources and context give
byte-identical artifacts, and every path is checked by `safe_join`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelspec.compile.graph import Resource
from modelspec.compile.roles import Role
from modelspec.generate.argo import render_workflow
from modelspec.generate.common import Artifact, RenderContext, dump_yaml, safe_join
from modelspec.generate.expectations import render_expectations
from modelspec.generate.kserve import render_kserve
from modelspec.generate.kubeflow import render_kubeflow
from modelspec.generate.kubernetes import render_batch, render_online
from modelspec.generate.model_card import render_model_card
from modelspec.generate.model_card_json import render_model_card_json
from modelspec.generate.monitors import render_pod_monitor
from modelspec.generate.prometheus import render_prometheus_rule
from modelspec.generate.views import deployment_view

__all__ = ["Artifact", "RenderContext", "dump_yaml", "render", "safe_join"]

CLUSTER_PLATFORMS = ("kubernetes", "kserve")


def render(
    resource: Resource,
    refs: Mapping[str, Resource],
    ctx: RenderContext,
    outputs: Mapping[str, Any] | None = None,
) -> list[Artifact]:
    """The artifacts of one resource, sorted by path; refs maps a role to a referenced resource.

    outputs are what the last apply recorded for the resource (a model's build and
    metrics); the JSON model card reports them.
    """
    if resource.kind == "Model":
        artifacts = _render_model(resource, refs, ctx)
        artifacts.append(render_model_card_json(resource, refs.get(Role.CONTRACT), dict(outputs or {})))
    elif resource.kind == "Deployment":
        artifacts = _render_deployment(resource, refs, ctx, outputs)
    elif resource.kind == "DataContract":
        artifacts = render_expectations(resource)
    else:
        artifacts = []
    return sorted(artifacts, key=lambda artifact: artifact.path)


def _render_model(
    model: Resource, refs: Mapping[str, Resource], ctx: RenderContext
) -> list[Artifact]:
    artifacts = render_model_card(model, refs)
    if ctx.engine == "argo":
        artifacts += render_workflow(model, refs, ctx)
    elif ctx.engine == "kubeflow":  # compiled with the KFP SDK (the extra `kubeflow`)
        artifacts += render_kubeflow(model, refs, ctx)
    return artifacts


def _render_deployment(
    resource: Resource,
    refs: Mapping[str, Resource],
    ctx: RenderContext,
    outputs: Mapping[str, Any] | None,
) -> list[Artifact]:
    view = deployment_view(resource, refs, ctx, outputs)
    if view.platform not in CLUSTER_PLATFORMS or view.build is None:
        return []  # no cluster, or no build yet that manifests could name
    if view.mode == "batch":
        artifacts = render_batch(view, ctx, resource, refs)
    elif view.platform == "kserve":
        artifacts = render_kserve(view)
    else:
        artifacts = render_online(view, ctx)
    return artifacts + render_prometheus_rule(view) + render_pod_monitor(view)
