"""Prometheus Operator PrometheusRule (monitoring.coreos.com/v1) alerting on a Deployment's thresholds.

The alerts read two metrics the model server exports, both labelled with
`deployment` (and `namespace`, added by the scrape):

- `modelspec_request_duration_seconds` - histogram of prediction latency;
  `ModelLatencyP95High` fires when the 5-minute p95 exceeds
  `monitoring.latency_p95_ms` for 10 minutes (severity warning).
- `modelspec_requests_total` - counter of prediction requests with a `code`
  label (HTTP status); `ModelErrorRateHigh` fires when the 5-minute share of
  5xx responses exceeds `monitoring.error_rate_max` for 10 minutes
  (severity critical).

Each alert carries `modelspec_deployment`, `modelspec_model` and `on_breach`
labels so routing can tell an alert from a retrain or rollback trigger.
"""

from __future__ import annotations

import json
from typing import Any

from modelspec.generate.common import Artifact, yaml_artifact
from modelspec.generate.views import ServingView

__all__ = ["ERRORS_METRIC", "LATENCY_METRIC", "prometheus_rule", "render_prometheus_rule"]

LATENCY_METRIC = "modelspec_request_duration_seconds"
ERRORS_METRIC = "modelspec_requests_total"
WINDOW = "5m"
FOR = "10m"


def _number(value: float) -> str:
    """A PromQL number literal: `0.25`, `1e-05`, `2`."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _selector(view: ServingView, *extra: str) -> str:
    # json.dumps gives a double-quoted string with the escapes PromQL accepts.
    matchers = [f"deployment={json.dumps(view.name)}"]
    if view.namespace:
        matchers.append(f"namespace={json.dumps(view.namespace)}")
    return "{" + ",".join([*matchers, *extra]) + "}"


def _latency_rule(
    view: ServingView, threshold_ms: float, labels: dict[str, str]
) -> dict[str, Any]:
    seconds = _number(threshold_ms / 1000)
    buckets = f"{LATENCY_METRIC}_bucket{_selector(view)}"
    expr = f"histogram_quantile(0.95, sum by (le) (rate({buckets}[{WINDOW}]))) > {seconds}"
    return {
        "alert": "ModelLatencyP95High",
        "expr": expr,
        "for": FOR,
        "labels": {**labels, "severity": "warning"},
        "annotations": {
            "summary": f"{view.name}: p95 latency above {_number(threshold_ms)} ms",
            "description": (
                f"The 95th percentile prediction latency of deployment {view.name} "
                f"(model {view.model_name} {view.model_version}) is {{{{ $value | humanizeDuration }}}}, "
                f"above the {_number(threshold_ms)} ms the spec allows."
            ),
        },
    }


def _error_rule(view: ServingView, max_rate: float, labels: dict[str, str]) -> dict[str, Any]:
    server_errors = _selector(view, 'code=~"5.."')
    errors = f"sum(rate({ERRORS_METRIC}{server_errors}[{WINDOW}]))"
    total = f"sum(rate({ERRORS_METRIC}{_selector(view)}[{WINDOW}]))"
    return {
        "alert": "ModelErrorRateHigh",
        "expr": f"{errors} / {total} > {_number(max_rate)}",
        "for": FOR,
        "labels": {**labels, "severity": "critical"},
        "annotations": {
            "summary": f"{view.name}: error rate above {_number(max_rate)}",
            "description": (
                f"The share of failed predictions of deployment {view.name} "
                f"(model {view.model_name} {view.model_version}) is {{{{ $value | humanizePercentage }}}}, "
                f"above the {_number(max_rate)} the spec allows."
            ),
        },
    }


def prometheus_rule(view: ServingView) -> dict[str, Any] | None:
    """The rule, or None when the spec sets neither a latency nor an error-rate threshold."""
    labels = {
        "modelspec_deployment": view.name,
        "modelspec_model": view.model_name,
        "on_breach": view.on_breach,
    }
    rules = []
    if view.latency_p95_ms is not None:
        rules.append(_latency_rule(view, view.latency_p95_ms, labels))
    if view.error_rate_max is not None:
        rules.append(_error_rule(view, view.error_rate_max, labels))
    if not rules:
        return None
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
