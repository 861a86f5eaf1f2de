"""Prometheus Operator PrometheusRule (monitoring.coreos.com/v1): a Deployment's latency, error and resource alerts.

The alerts query the series the target's runtime really exports (measured by
scraping the running servers: tests/generate/test_promtool.py), selected by the
`namespace` and `pod` target labels Prometheus adds when it scrapes a pod (the
PodMonitor of generate/monitors.py) and that cAdvisor and kube-state-metrics
carry:

- `kubernetes` target, `modelspec serve` (MLServer): latency from the
  starlette_exporter histogram `rest_server_request_duration_seconds`, errors
  from `rest_server_requests_total` (label `status_code`), both `method="POST"`
  (the inference endpoints; health and metadata are GETs).
- `kserve` target, KServe's sklearn server: latency from its
  `request_predict_seconds` histogram (label `model_name`, the
  InferenceService's name). The server counts no errors, so in `Serverless`
  mode errors come from Knative's queue-proxy histogram
  `kn_serving_invocation_duration_seconds` (label `http_response_status_code`;
  Knative >= 1.19 with `request-metrics-protocol: prometheus`). A
  `RawDeployment` has no queue-proxy and gets no error alert.
- Both: CPU throttling from cAdvisor's `container_cpu_cfs_throttled_periods_total`
  / `container_cpu_cfs_periods_total`, memory from cAdvisor's
  `container_memory_working_set_bytes` over kube-state-metrics'
  `kube_pod_container_resource_limits{resource="memory"}`.

A batch deployment serves nothing: it gets the resource alerts only. Each alert
carries `modelspec_deployment`, `modelspec_model` and `on_breach` labels so
routing can tell an alert from a retrain or rollback trigger.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from modelspec.generate.common import Artifact, yaml_artifact
from modelspec.generate.views import ServingView

__all__ = [
    "CPU_THROTTLED_MAX",
    "MEMORY_USED_MAX",
    "RuntimeSeries",
    "is_serverless",
    "pod_pattern",
    "prometheus_rule",
    "render_prometheus_rule",
    "runtime_series",
]


WINDOW = "5m"
FOR = "10m"
RESOURCE_FOR = "15m"
CPU_THROTTLED_MAX = 0.25  # share of CFS periods throttled (kube-prometheus's CPUThrottlingHigh)
MEMORY_USED_MAX = 0.9  # working set over the memory limit: the OOM killer acts at 1.0
# cAdvisor also reports the pod as a whole (container="") and the pause container ("POD").
CONTAINERS = ('container!=""', 'container!="POD"')


@dataclass(frozen=True)
class RuntimeSeries:
    """The series one runtime exports: a latency histogram and a request counter with a status."""

    runtime: str
    latency_histogram: str  # base name: the rule reads its `_bucket` series
    latency_matchers: tuple[str, ...]
    requests_counter: str | None  # None: nothing counts failed requests
    requests_matchers: tuple[str, ...]
    server_error: str  # the matcher that picks 5xx responses


def _quote(value: str) -> str:
    # json.dumps gives a double-quoted string with the escapes PromQL accepts.
    return json.dumps(value)


def _regex_literal(value: str) -> str:
    """value matched literally inside a PromQL (RE2) regex."""
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", value)


def is_serverless(view: ServingView) -> bool:
    """KServe's mode for the InferenceService (mirrors generate/kserve.py's deploymentMode)."""
    return not (view.scale_metric == "cpu" and view.strategy == "direct")


def runtime_series(view: ServingView) -> RuntimeSeries | None:
    """The serving runtime's series for an online deployment; None for batch (no server)."""
    if view.mode != "online":
        return None
    if view.platform == "kserve":
        serverless = is_serverless(view)
        return RuntimeSeries(
            runtime="kserve-sklearnserver" + ("+knative-queue-proxy" if serverless else ""),
            latency_histogram="request_predict_seconds",
            latency_matchers=(f"model_name={_quote(view.name)}",),
            requests_counter="kn_serving_invocation_duration_seconds_count" if serverless else None,
            requests_matchers=(),
            server_error='http_response_status_code=~"5.."',
        )
    return RuntimeSeries(
        runtime="mlserver",
        latency_histogram="rest_server_request_duration_seconds",
        latency_matchers=('method="POST"',),
        requests_counter="rest_server_requests_total",
        requests_matchers=('method="POST"',),
        server_error='status_code=~"5.."',
    )


def pod_pattern(view: ServingView) -> str:
    """A regex matching the names of the deployment's pods, and no other deployment's.

    A Deployment's pods are `<name>-<template hash>-<suffix>` (a CronJob's Job pods
    `<name>-<time>-<suffix>`); KServe's predictor pods are `<name>-predictor-<hash>-<suffix>`
    (RawDeployment) or `<name>-predictor-<revision>-deployment-<hash>-<suffix>` (Serverless).
    """
    name = _regex_literal(view.name)
    if view.platform == "kserve" and view.mode == "online":
        return f"{name}-predictor-([0-9]+-deployment-)?[a-z0-9]+-[a-z0-9]+"
    return f"{name}-[a-z0-9]+-[a-z0-9]+"


def _number(value: float) -> str:
    """A PromQL number literal: `0.25`, `1e-05`, `2`."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _selector(view: ServingView, *extra: str) -> str:
    matchers = []
    if view.namespace:
        matchers.append(f"namespace={_quote(view.namespace)}")
    matchers.append(f"pod=~{_quote(pod_pattern(view))}")
    return "{" + ",".join([*matchers, *extra]) + "}"


def _alert(
    name: str, expr: str, duration: str, labels: dict[str, str], summary: str, description: str
) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": duration,
        "labels": labels,
        "annotations": {"summary": summary, "description": description},
    }


def _subject(view: ServingView) -> str:
    return f"deployment {view.name} (model {view.model_name} {view.model_version})"


def _latency_rule(
    view: ServingView, series: RuntimeSeries, threshold_ms: float, labels: dict[str, str]
) -> dict[str, Any]:
    seconds = _number(threshold_ms / 1000)
    buckets = f"{series.latency_histogram}_bucket{_selector(view, *series.latency_matchers)}"
    return _alert(
        "ModelLatencyP95High",
        f"histogram_quantile(0.95, sum by (le) (rate({buckets}[{WINDOW}]))) > {seconds}",
        FOR,
        {**labels, "severity": "warning"},
        f"{view.name}: p95 latency above {_number(threshold_ms)} ms",
        f"The 95th percentile prediction latency of {_subject(view)} is "
        f"{{{{ $value | humanizeDuration }}}}, above the {_number(threshold_ms)} ms the spec allows.",
    )


def _error_rule(
    view: ServingView, series: RuntimeSeries, counter: str, max_rate: float, labels: dict[str, str]
) -> dict[str, Any]:
    server_errors = _selector(view, *series.requests_matchers, series.server_error)
    errors = f"sum(rate({counter}{server_errors}[{WINDOW}]))"
    total = f"sum(rate({counter}{_selector(view, *series.requests_matchers)}[{WINDOW}]))"
    return _alert(
        "ModelErrorRateHigh",
        f"{errors} / {total} > {_number(max_rate)}",
        FOR,
        {**labels, "severity": "critical"},
        f"{view.name}: error rate above {_number(max_rate)}",
        f"The share of failed predictions of {_subject(view)} is "
        f"{{{{ $value | humanizePercentage }}}}, above the {_number(max_rate)} the spec allows.",
    )


def _ratio(numerator: str, denominator: str) -> str:
    by = "by (namespace, pod, container)"
    return f"sum {by} ({numerator}) / sum {by} ({denominator})"


def _cpu_rule(view: ServingView, labels: dict[str, str]) -> dict[str, Any]:
    selector = _selector(view, *CONTAINERS)
    throttled = f"rate(container_cpu_cfs_throttled_periods_total{selector}[{WINDOW}])"
    periods = f"rate(container_cpu_cfs_periods_total{selector}[{WINDOW}])"
    return _alert(
        "ModelCPUThrottlingHigh",
        f"{_ratio(throttled, periods)} > {_number(CPU_THROTTLED_MAX)}",
        RESOURCE_FOR,
        {**labels, "severity": "warning"},
        f"{view.name}: CPU throttled above {_number(CPU_THROTTLED_MAX)} of periods",
        f"Container {{{{ $labels.container }}}} of pod {{{{ $labels.pod }}}} of {_subject(view)} "
        f"is throttled in {{{{ $value | humanizePercentage }}}} of its CPU periods: "
        "its CPU limit is too low for its load.",
    )


def _memory_rule(view: ServingView, labels: dict[str, str]) -> dict[str, Any]:
    used = f"container_memory_working_set_bytes{_selector(view, *CONTAINERS)}"
    memory = 'resource="memory"'
    limit = f"kube_pod_container_resource_limits{_selector(view, memory)}"
    return _alert(
        "ModelMemoryNearLimit",
        f"{_ratio(used, limit)} > {_number(MEMORY_USED_MAX)}",
        RESOURCE_FOR,
        {**labels, "severity": "warning"},
        f"{view.name}: memory above {_number(MEMORY_USED_MAX)} of its limit",
        f"Container {{{{ $labels.container }}}} of pod {{{{ $labels.pod }}}} of {_subject(view)} "
        f"uses {{{{ $value | humanizePercentage }}}} of its memory limit: "
        "it is about to be OOM-killed.",
    )


def _monitored(view: ServingView) -> bool:
    return view.latency_p95_ms is not None or view.error_rate_max is not None


def prometheus_rule(view: ServingView) -> dict[str, Any] | None:
    """The rule, or None when the spec sets neither a latency nor an error-rate threshold."""
    if not _monitored(view):
        return None
    labels = {
        "modelspec_deployment": view.name,
        "modelspec_model": view.model_name,
        "on_breach": view.on_breach,
    }
    rules = []
    series = runtime_series(view)
    if series is not None and view.latency_p95_ms is not None:
        rules.append(_latency_rule(view, series, view.latency_p95_ms, labels))
    if series is not None and series.requests_counter and view.error_rate_max is not None:
        rules.append(
            _error_rule(view, series, series.requests_counter, view.error_rate_max, labels)
        )
    rules += [_cpu_rule(view, labels), _memory_rule(view, labels)]
    metadata: dict[str, Any] = {
        "name": f"{view.name}-alerts",
        "labels": view.labels,
        "annotations": view.annotations,
    }
    if view.namespace:
        metadata["namespace"] = view.namespace
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata,
        "spec": {"groups": [{"name": f"modelspec.{view.name}", "rules": rules}]},
    }


def render_prometheus_rule(view: ServingView) -> list[Artifact]:
    rule = prometheus_rule(view)
    if rule is None:
        return []
    return [yaml_artifact(f"deployments/{view.name}/prometheusrule.yaml", rule)]
