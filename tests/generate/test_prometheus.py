"""Tests for the PrometheusRule renderer, checked against the Prometheus Operator's CRD schema."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from modelspec.compile.graph import Resource
from modelspec.generate import RenderContext, render
from modelspec.generate.prometheus import ERRORS_METRIC, LATENCY_METRIC

MakeDeployment = Callable[..., tuple[Resource, dict[str, Resource]]]
Validate = Callable[[dict[str, Any]], list[str]]

PATH = "deployments/churn-prod/prometheusrule.yaml"
HOSTILE = "groups:\n- name: evil\n  rules: []\n{{ $value }} {{ 7*7 }} on: off"


def _rule(make: MakeDeployment, ctx: RenderContext, **kwargs: Any) -> tuple[dict[str, Any], bytes]:
    deployment, refs = make(**kwargs)
    artifact = {a.path: a for a in render(deployment, refs, ctx)}[PATH]
    document: dict[str, Any] = yaml.safe_load(artifact.content)
    return document, artifact.content


def _alerts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [group] = document["spec"]["groups"]
    return {rule["alert"]: rule for rule in group["rules"]}


def test_rule_alerts_on_latency_and_error_rate(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    document, _ = _rule(make_deployment, ctx)
    assert document["apiVersion"] == "monitoring.coreos.com/v1"
    assert document["kind"] == "PrometheusRule"
    assert document["metadata"]["namespace"] == "ml-prod"
    alerts = _alerts(document)
    latency = alerts["ModelLatencyP95High"]
    assert latency["expr"] == (
        "histogram_quantile(0.95, sum by (le) (rate("
        f'{LATENCY_METRIC}_bucket{{deployment="churn-prod",namespace="ml-prod"}}[5m]))) > 0.25'
    )
    assert latency["labels"]["severity"] == "warning"
    errors = alerts["ModelErrorRateHigh"]
    assert errors["expr"] == (
        f'sum(rate({ERRORS_METRIC}{{deployment="churn-prod",namespace="ml-prod",code=~"5.."}}[5m]))'
        f' / sum(rate({ERRORS_METRIC}{{deployment="churn-prod",namespace="ml-prod"}}[5m])) > 0.01'
    )
    assert errors["labels"]["severity"] == "critical"
    for alert in alerts.values():
        assert alert["labels"]["on_breach"] == "retrain"
        assert alert["annotations"]["summary"].startswith("churn-prod: ")


def test_only_the_thresholds_set_get_alerts(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    document, _ = _rule(make_deployment, ctx, monitoring={"latency_p95_ms": 1500})
    assert list(_alerts(document)) == ["ModelLatencyP95High"]
    assert _alerts(document)["ModelLatencyP95High"]["expr"].endswith("> 1.5")
    deployment, refs = make_deployment(monitoring={"drift": {"method": "psi", "threshold": 0.2}})
    assert PATH not in [a.path for a in render(deployment, refs, ctx)]


def test_rendering_twice_gives_identical_bytes(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    assert _rule(make_deployment, ctx)[1] == _rule(make_deployment, ctx)[1]


def test_hostile_metadata_round_trips_literally(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    document, _ = _rule(make_deployment, ctx, metadata={"description": HOSTILE})
    assert document["metadata"]["annotations"]["modelspec.dev/description"] == HOSTILE
    assert len(document["spec"]["groups"]) == 1
    assert set(document) == {"apiVersion", "kind", "metadata", "spec"}


@pytest.mark.parametrize("namespace", ["ml-prod", None])
def test_rule_matches_prometheus_operator_schema(
    make_deployment: MakeDeployment,
    ctx: RenderContext,
    validate_prometheus_rule: Validate,
    namespace: str | None,
) -> None:
    document, _ = _rule(
        make_deployment, ctx, namespace=namespace, metadata={"description": HOSTILE}
    )
    assert validate_prometheus_rule(document) == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["spec"]["groups"][0]["rules"][0].__setitem__("expresion", "up"),
        lambda d: d["spec"]["groups"][0].__setitem__("rule", []),
        lambda d: d["spec"]["groups"][0]["rules"][0].__setitem__("for", "ten minutes"),
        lambda d: d["spec"].__setitem__("group", []),
    ],
)
def test_prometheus_schema_rejects_misspelt_fields(
    make_deployment: MakeDeployment,
    ctx: RenderContext,
    validate_prometheus_rule: Validate,
    mutate: Callable[[dict[str, Any]], None],
) -> None:
    broken = copy.deepcopy(_rule(make_deployment, ctx)[0])
    mutate(broken)
    assert validate_prometheus_rule(broken) != []
