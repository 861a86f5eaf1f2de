"""promtool checks the rendered PrometheusRule and proves every alert on series scraped from the real servers."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from metrics_scrape import MODEL_NAME, Sample, kserve_sklearnserver, mlserver, request, scrape

from modelspec.compile.graph import Resource
from modelspec.generate import RenderContext
from modelspec.generate.prometheus import prometheus_rule
from modelspec.generate.views import deployment_view
from runtimes import kserve_python

MakeDeployment = Callable[..., tuple[Resource, dict[str, Resource]]]

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (Debian package `prometheus`; CI has it)"
)
NAMESPACE = "ml-prod"
# Pod names the way Kubernetes and KServe make them, and a neighbour the rule must ignore.
PODS = {
    "kubernetes": ("churn-prod-7d4b9c8f6d-x2x7k", "model"),
    "kserve": ("churn-prod-predictor-00001-deployment-5d8f7c9b4d-q8r2m", "kserve-container"),
    "kserve-raw": ("churn-prod-predictor-6c9f8b7d5-k4l9z", "kserve-container"),
}
NEIGHBOUR = "churn-prod-shadow-7d4b9c8f6d-x2x7k"
# Series Prometheus gets from outside the model server (no binary of them here): their names
# and labels as cAdvisor, kube-state-metrics and Knative's queue-proxy (source, Knative 1.21:
# pkg/queue/request_metric.go, exported with UnderscoreEscapingWithSuffixes) export them.
CPU_PERIODS = "container_cpu_cfs_periods_total"
CPU_THROTTLED = "container_cpu_cfs_throttled_periods_total"
MEMORY_USED = "container_memory_working_set_bytes"
MEMORY_LIMIT = "kube_pod_container_resource_limits"
QUEUE_PROXY = "kn_serving_invocation_duration_seconds_count"
STRATEGIES: dict[str, dict[str, Any]] = {  # the spec overrides that give each platform flavour
    "kubernetes": {"platform": "kubernetes"},
    "kserve": {"platform": "kserve"},
    "kserve-raw": {
        "platform": "kserve",
        "autoscaling": {"metric": "cpu", "target": 70},
        "rollout": {"strategy": "direct"},
    },
}


def _group(make: MakeDeployment, ctx: RenderContext, flavour: str) -> dict[str, Any]:
    deployment, refs = make(**STRATEGIES[flavour])
    rule = prometheus_rule(deployment_view(deployment, refs, ctx, {"model_build": "2.1.0+1"}))
    assert rule is not None
    group: dict[str, Any] = rule["spec"]["groups"][0]
    return group


def _promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@needs_promtool
@pytest.mark.parametrize("flavour", sorted(STRATEGIES))
def test_promtool_accepts_the_rule_group(
    make_deployment: MakeDeployment, ctx: RenderContext, tmp_path: Path, flavour: str
) -> None:
    group = _group(make_deployment, ctx, flavour)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [group]}))
    result = _promtool("check", "rules", "rules.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(group['rules'])} rules found" in result.stdout


def _series(name: str, labels: dict[str, str], values: str) -> dict[str, str]:
    inner = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(labels.items()))
    return {"series": f"{name}{{{inner}}}", "values": values}


def _growing(per_minute: float) -> str:
    return f"0+{per_minute:g}x40"


def _latency(
    samples: list[Sample], name: str, target: dict[str, str], slow: bool, **match: str
) -> list[dict[str, str]]:
    """The scraped histogram's own buckets: every request in the lowest (healthy) or above 1 s."""
    scraped = [
        s for s in samples if s.name == f"{name}_bucket" and match.items() <= s.labels.items()
    ]
    assert scraped, f"{name}_bucket{match} not exported"
    labels = {k: v for k, v in scraped[0].labels.items() if k != "le"}
    bounds = sorted({s.labels["le"] for s in scraped}, key=float)
    out = []
    for le in bounds:
        reached = float(le) >= 1.0 if slow else True
        out.append(
            _series(
                f"{name}_bucket", {**labels, **target, "le": le}, _growing(10 if reached else 0)
            )
        )
    return out


def _requests(
    template: Sample, target: dict[str, str], status: str, code: str, rate: float
) -> dict[str, str]:
    return _series(template.name, {**template.labels, **target, status: code}, _growing(rate))


def _resources(pod: str, container: str, bad: bool) -> list[dict[str, str]]:
    target = {"namespace": NAMESPACE, "pod": pod, "container": container}
    limit = 2**30
    return [
        _series(CPU_PERIODS, target, _growing(600)),
        _series(CPU_THROTTLED, target, _growing(300 if bad else 6)),
        _series(MEMORY_USED, target, f"{int(limit * (0.97 if bad else 0.5))}+0x40"),
        _series(MEMORY_LIMIT, {**target, "resource": "memory", "unit": "byte"}, f"{limit}+0x40"),
    ]


def _unit_test(
    group: dict[str, Any], series: list[dict[str, str]], firing: set[str], pod: str, container: str
) -> dict[str, Any]:
    labels = {k: v for k, v in group["rules"][0]["labels"].items() if k != "severity"}
    per_pod = {"namespace": NAMESPACE, "pod": pod, "container": container}
    checks = []
    for rule in group["rules"]:
        name = rule["alert"]
        expected = {**labels, "severity": rule["labels"]["severity"]}
        if name in ("ModelCPUThrottlingHigh", "ModelMemoryNearLimit"):
            expected.update(per_pod)
        alerts = [{"exp_labels": expected}] if name in firing else []
        checks.append({"eval_time": "30m", "alertname": name, "exp_alerts": alerts})
    return {"interval": "1m", "input_series": series, "alert_rule_test": checks}


def _prove(group: dict[str, Any], tests: list[dict[str, Any]], tmp_path: Path) -> str:
    # promtool compares annotations too; `check rules` above validates their templates.
    bare = {
        **group,
        "rules": [{k: v for k, v in r.items() if k != "annotations"} for r in group["rules"]],
    }
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [bare]}))
    (tmp_path / "tests.yaml").write_text(
        yaml.safe_dump({"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests})
    )
    result = _promtool("test", "rules", "tests.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _names_in(group: dict[str, Any]) -> set[str]:
    return {m for r in group["rules"] for m in re.findall(r"([a-z_]+)\{", r["expr"])}


def _label_names_in(expr: str, metric: str) -> set[str]:
    found = re.findall(re.escape(metric) + r"\{([^}]*)\}", expr)
    return {m.split("=")[0].rstrip("!~") for sel in found for m in re.findall(r'(\w+[=!~]+)"', sel)}


@pytest.fixture(scope="module")
def mlserver_samples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Sample]]:
    with mlserver(tmp_path_factory.mktemp("mlserver")) as (base, metrics):
        url = f"{base}/v2/models/{MODEL_NAME}/infer"
        good = {
            "inputs": [
                {"name": "x", "shape": [1, 4], "datatype": "FP64", "data": [5.1, 3.5, 1.4, 0.2]}
            ]
        }
        bad = {
            "inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP64", "data": [5.1, 3.5, 1.4]}]
        }
        assert [request(url, good) for _ in range(3)] == [200, 200, 200]
        assert request(url, bad) == 500  # the model raises: a server error, counted as such
        yield scrape(metrics)


@pytest.fixture(scope="module")
def kserve_samples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Sample]]:
    python = str(kserve_python())  # `make runtimes`; skipped, saying so, without it
    with kserve_sklearnserver(python, tmp_path_factory.mktemp("kserve")) as base:
        url = f"{base}/v1/models/{MODEL_NAME}:predict"
        assert [request(url, {"instances": [[5.1, 3.5, 1.4, 0.2]]}) for _ in range(3)] == [200] * 3
        assert request(url, {"instances": [[5.1, 3.5]]}) == 500
        yield scrape(f"{base}/metrics")


def _sample(samples: list[Sample], name: str, **labels: str) -> Sample:
    matching = [s for s in samples if s.name == name and labels.items() <= s.labels.items()]
    assert matching, f"{name}{labels} not exported"
    return matching[0]


@pytest.mark.slow
@needs_promtool
def test_mlserver_alerts_fire_on_bad_series_only(
    make_deployment: MakeDeployment,
    ctx: RenderContext,
    tmp_path: Path,
    mlserver_samples: list[Sample],
) -> None:
    group = _group(make_deployment, ctx, "kubernetes")
    latency, requests = "rest_server_request_duration_seconds", "rest_server_requests_total"
    exported = {s.name for s in mlserver_samples}
    assert {f"{latency}_bucket", requests} <= exported
    assert _names_in(group) - exported == {CPU_PERIODS, CPU_THROTTLED, MEMORY_USED, MEMORY_LIMIT}
    for metric in (f"{latency}_bucket", requests):
        scraped = set(_sample(mlserver_samples, metric).labels) | {"namespace", "pod"}
        assert _label_names_in(" ".join(r["expr"] for r in group["rules"]), metric) <= scraped
    ok = _sample(mlserver_samples, requests, status_code="200", method="POST")
    failed = _sample(mlserver_samples, requests, status_code="500", method="POST")
    assert failed.value == 1
    pod, container = PODS["kubernetes"]
    target = {"namespace": NAMESPACE, "pod": pod}
    neighbour = {"namespace": NAMESPACE, "pod": NEIGHBOUR}

    def series(bad: bool, where: dict[str, str]) -> list[dict[str, str]]:
        return [
            *_latency(mlserver_samples, latency, where, bad, method="POST", status_code="200"),
            _requests(ok, where, "status_code", "200", 100),
            _requests(failed, where, "status_code", "500", 10 if bad else 0),
            *_resources(where["pod"], container, bad),
        ]

    alerts = {r["alert"] for r in group["rules"]}
    assert alerts == {
        "ModelLatencyP95High",
        "ModelErrorRateHigh",
        "ModelCPUThrottlingHigh",
        "ModelMemoryNearLimit",
    }
    out = _prove(
        group,
        [
            _unit_test(group, series(True, target), alerts, pod, container),
            _unit_test(
                group, series(False, target) + series(True, neighbour), set(), pod, container
            ),
        ],
        tmp_path,
    )
    assert "SUCCESS" in out


@pytest.mark.slow
@needs_promtool
@pytest.mark.parametrize("flavour", ["kserve", "kserve-raw"])
def test_kserve_alerts_fire_on_bad_series_only(
    make_deployment: MakeDeployment,
    ctx: RenderContext,
    tmp_path: Path,
    kserve_samples: list[Sample],
    flavour: str,
) -> None:
    group = _group(make_deployment, ctx, flavour)
    latency = "request_predict_seconds"
    predict = _sample(kserve_samples, f"{latency}_bucket", model_name=MODEL_NAME)
    assert predict.labels["model_name"] == MODEL_NAME == "churn-prod"
    external = {CPU_PERIODS, CPU_THROTTLED, MEMORY_USED, MEMORY_LIMIT}
    if flavour == "kserve":
        external.add(QUEUE_PROXY)
    assert _names_in(group) - {s.name for s in kserve_samples} == external
    exprs = " ".join(r["expr"] for r in group["rules"])
    assert _label_names_in(exprs, f"{latency}_bucket") <= set(predict.labels) | {"namespace", "pod"}
    # KServe's server counts a failed predict like a good one: only the queue-proxy tells them apart.
    assert _sample(kserve_samples, f"{latency}_count", model_name=MODEL_NAME).value == 4
    pod, container = PODS[flavour]
    target = {"namespace": NAMESPACE, "pod": pod}
    neighbour = {"namespace": NAMESPACE, "pod": NEIGHBOUR}
    queue = Sample(
        QUEUE_PROXY,
        {"container": "queue-proxy", "otel_scope_name": "knative.dev/serving/pkg/queue"},
        0,
    )

    def series(bad: bool, where: dict[str, str]) -> list[dict[str, str]]:
        return [
            *_latency(kserve_samples, latency, where, bad, model_name=MODEL_NAME),
            _requests(queue, where, "http_response_status_code", "200", 100),
            _requests(queue, where, "http_response_status_code", "503", 10 if bad else 0),
            *_resources(where["pod"], container, bad),
        ]

    alerts = {r["alert"] for r in group["rules"]}
    expected = {"ModelLatencyP95High", "ModelCPUThrottlingHigh", "ModelMemoryNearLimit"}
    assert alerts == (expected | {"ModelErrorRateHigh"} if flavour == "kserve" else expected)
    out = _prove(
        group,
        [
            _unit_test(group, series(True, target), alerts, pod, container),
            _unit_test(
                group, series(False, target) + series(True, neighbour), set(), pod, container
            ),
        ],
        tmp_path,
    )
    assert "SUCCESS" in out
