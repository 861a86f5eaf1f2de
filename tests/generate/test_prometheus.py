"""Tests for the PrometheusRule renderer, checked against the Prometheus Operator's CRD schema."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from render_outputs import DEPLOYED

from modelspec.compile.graph import Resource
from modelspec.generate import RenderContext, render
from modelspec.generate.monitors import pod_monitor
from modelspec.generate.views import deployment_view

MakeDeployment = Callable[..., tuple[Resource, dict[str, Resource]]]
Validate = Callable[[dict[str, Any]], list[str]]

PATH = "deployments/churn-prod/prometheusrule.yaml"
HOSTILE = "groups:\n- name: evil\n  rules: []\n{{ $value }} {{ 7*7 }} on: off"


def _rule(make: MakeDeployment, ctx: RenderContext, **kwargs: Any) -> tuple[dict[str, Any], bytes]:
    deployment, refs = make(**kwargs)
    artifact = {a.path: a for a in render(deployment, refs, ctx, DEPLOYED)}[PATH]
    document: dict[str, Any] = yaml.safe_load(artifact.content)
    return document, artifact.content


def _alerts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [group] = document["spec"]["groups"]
    return {rule["alert"]: rule for rule in group["rules"]}


SERVERLESS_POD = '"churn-prod-predictor-([0-9]+-deployment-)?[a-z0-9]+-[a-z0-9]+"'
SELECT = f'namespace="ml-prod",pod=~{SERVERLESS_POD}'


def test_kserve_rule_queries_the_sklearn_server_and_queue_proxy(
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
        f'request_predict_seconds_bucket{{{SELECT},model_name="churn-prod"}}[5m]))) > 0.25'
    )
    assert latency["labels"]["severity"] == "warning"
    errors = alerts["ModelErrorRateHigh"]
    counter = "kn_serving_invocation_duration_seconds_count"
    assert errors["expr"] == (
        f'sum(rate({counter}{{{SELECT},http_response_status_code=~"5.."}}[5m]))'
        f" / sum(rate({counter}{{{SELECT}}}[5m])) > 0.01"
    )
    assert errors["labels"]["severity"] == "critical"
    cpu = alerts["ModelCPUThrottlingHigh"]["expr"]
    assert "container_cpu_cfs_throttled_periods_total" in cpu and cpu.endswith("> 0.25")
    memory = alerts["ModelMemoryNearLimit"]["expr"]
    assert "kube_pod_container_resource_limits{" + SELECT + ',resource="memory"}' in memory
    assert memory.endswith("> 0.9")
    for alert in alerts.values():
        assert alert["labels"]["on_breach"] == "retrain"
        assert alert["annotations"]["summary"].startswith("churn-prod: ")


def test_kubernetes_rule_queries_mlserver(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    document, _ = _rule(make_deployment, ctx, platform="kubernetes")
    alerts = _alerts(document)
    select = 'namespace="ml-prod",pod=~"churn-prod-[a-z0-9]+-[a-z0-9]+",method="POST"'
    assert alerts["ModelLatencyP95High"]["expr"] == (
        "histogram_quantile(0.95, sum by (le) (rate("
        f"rest_server_request_duration_seconds_bucket{{{select}}}[5m]))) > 0.25"
    )
    assert alerts["ModelErrorRateHigh"]["expr"] == (
        f'sum(rate(rest_server_requests_total{{{select},status_code=~"5.."}}[5m]))'
        f" / sum(rate(rest_server_requests_total{{{select}}}[5m])) > 0.01"
    )


def test_raw_deployment_and_batch_get_only_what_their_series_allow(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    raw = {"autoscaling": {"metric": "cpu", "target": 70}, "rollout": {"strategy": "direct"}}
    document, _ = _rule(make_deployment, ctx, **raw)
    assert sorted(_alerts(document)) == [
        "ModelCPUThrottlingHigh",
        "ModelLatencyP95High",
        "ModelMemoryNearLimit",
    ]
    deployment, refs = make_deployment(mode="batch", schedule="0 3 * * *")
    artifact = {a.path: a for a in render(deployment, refs, ctx, DEPLOYED)}[PATH]
    assert sorted(_alerts(yaml.safe_load(artifact.content))) == [
        "ModelCPUThrottlingHigh",
        "ModelMemoryNearLimit",
    ]


def test_serverless_is_what_the_inference_service_says(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    from modelspec.generate.kserve import inference_service
    from modelspec.generate.prometheus import is_serverless

    for spec in (
        {},
        {"autoscaling": {"metric": "cpu", "target": 70}, "rollout": {"strategy": "direct"}},
    ):
        deployment, refs = make_deployment(**spec)
        view = deployment_view(deployment, refs, ctx, DEPLOYED)
        mode = inference_service(view)["metadata"]["annotations"][
            "serving.kserve.io/deploymentMode"
        ]
        assert is_serverless(view) == (mode == "Serverless")


@pytest.mark.parametrize("platform", ["kubernetes", "kserve"])
@pytest.mark.parametrize("namespace", ["ml-prod", None])
def test_pod_monitor_selects_the_deployments_pods(
    make_deployment: MakeDeployment,
    ctx: RenderContext,
    validate_pod_monitor: Validate,
    platform: str,
    namespace: str | None,
) -> None:
    deployment, refs = make_deployment(platform=platform, namespace=namespace)
    view = deployment_view(deployment, refs, ctx, DEPLOYED)
    monitor = pod_monitor(view)
    assert monitor is not None
    assert validate_pod_monitor(monitor) == []
    spec = monitor["spec"]
    if platform == "kubernetes":
        assert spec["selector"] == {"matchLabels": view.selector}
        assert spec["podMetricsEndpoints"] == [{"port": "metrics", "path": "/metrics"}]
    else:
        assert spec["selector"] == {
            "matchLabels": {"serving.kserve.io/inferenceservice": "churn-prod"}
        }
        assert spec["podMetricsEndpoints"] == [
            {"portNumber": 8080, "path": "/metrics"},
            {"port": "http-usermetric", "path": "/metrics"},
        ]
    assert ("namespaceSelector" in spec) == (namespace is not None)
    broken = copy.deepcopy(monitor)
    broken["spec"]["podMetricsEndpoints"][0]["prot"] = "metrics"
    assert validate_pod_monitor(broken) != []
    batch, batch_refs = make_deployment(platform=platform, mode="batch", schedule="0 3 * * *")
    assert pod_monitor(deployment_view(batch, batch_refs, ctx, DEPLOYED)) is None


def test_only_the_thresholds_set_get_alerts(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    document, _ = _rule(make_deployment, ctx, monitoring={"latency_p95_ms": 1500})
    assert list(_alerts(document)) == [
        "ModelLatencyP95High",
        "ModelCPUThrottlingHigh",
        "ModelMemoryNearLimit",
    ]
    assert _alerts(document)["ModelLatencyP95High"]["expr"].endswith("> 1.5")
    deployment, refs = make_deployment(monitoring={"drift": {"method": "psi", "threshold": 0.2}})
    assert PATH not in [a.path for a in render(deployment, refs, ctx, DEPLOYED)]


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
