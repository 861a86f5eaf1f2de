"""Prometheus Operator PodMonitor (monitoring.coreos.com/v1): makes Prometheus scrape a Deployment's pods.

- `kubernetes` target: the pods of the Deployment (its selector labels), port
  `metrics`, path `/metrics`: MLServer's metrics server, which `modelspec serve`
  runs.
- `kserve` target: the predictor pods, by the label KServe puts on them
  (`serving.kserve.io/inferenceservice: <name>`); KServe's sklearn server's
  `/metrics` on port number 8080 (its runtime's `--http_port`, the port
  KServe's `prometheus.kserve.io/port` annotation names; the port's name
  differs between modes), and in `Serverless` mode also Knative's queue-proxy
  (port `http-usermetric`, 9091), which counts responses by status code.

Batch deployments serve nothing and get no PodMonitor. Prometheus adds the
`namespace`, `pod` and `container` target labels the PrometheusRule selects by.
"""

from __future__ import annotations

from typing import Any

from modelspec.generate.common import Artifact, yaml_artifact
from modelspec.generate.prometheus import is_serverless
from modelspec.generate.views import ServingView

__all__ = [
    "KSERVE_METRICS_PORT",
    "KSERVE_POD_LABEL",
    "METRICS_PATH",
    "METRICS_PORT_NAME",
    "pod_monitor",
    "render_pod_monitor",
]

METRICS_PORT_NAME = "metrics"
METRICS_PATH = "/metrics"
KSERVE_POD_LABEL = "serving.kserve.io/inferenceservice"
KSERVE_METRICS_PORT = 8080
QUEUE_PROXY_METRICS_PORT_NAME = "http-usermetric"


def _endpoints(view: ServingView) -> list[dict[str, Any]]:
    if view.platform != "kserve":
        return [{"port": METRICS_PORT_NAME, "path": METRICS_PATH}]
    endpoints: list[dict[str, Any]] = [{"portNumber": KSERVE_METRICS_PORT, "path": METRICS_PATH}]
    if is_serverless(view):
        endpoints.append({"port": QUEUE_PROXY_METRICS_PORT_NAME, "path": METRICS_PATH})
    return endpoints


def pod_monitor(view: ServingView) -> dict[str, Any] | None:
    """The PodMonitor of an online deployment on a cluster target; None otherwise."""
    if view.mode != "online" or view.platform not in ("kubernetes", "kserve"):
        return None
    match = {KSERVE_POD_LABEL: view.name} if view.platform == "kserve" else dict(view.selector)
    spec: dict[str, Any] = {
        "selector": {"matchLabels": match},
        "podMetricsEndpoints": _endpoints(view),
    }
    metadata: dict[str, Any] = {
        "name": view.name,
        "labels": view.labels,
        "annotations": view.annotations,
    }
    if view.namespace:
        metadata["namespace"] = view.namespace
        spec["namespaceSelector"] = {"matchNames": [view.namespace]}
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": metadata,
        "spec": spec,
    }


def render_pod_monitor(view: ServingView) -> list[Artifact]:
    monitor = pod_monitor(view)
    if monitor is None:
        return []
    return [yaml_artifact(f"deployments/{view.name}/podmonitor.yaml", monitor)]
