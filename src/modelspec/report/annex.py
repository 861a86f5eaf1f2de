"""The EU AI Act Annex IV checklist for a high-risk model, marked from what its specs hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from modelspec.compile.graph import Graph, Resource

__all__ = ["AnnexItem", "annex_iv"]


@dataclass(frozen=True, slots=True)
class AnnexItem:
    """One piece of technical documentation: documented or missing, and where it is (or should be)."""

    topic: str
    annex_point: str  # where Annex IV asks for it
    documented: bool
    detail: str


def annex_iv(model: Resource, graph: Graph, deployments: Sequence[Resource]) -> list[AnnexItem]:
    """The checklist, in Annex IV order."""
    spec = model.spec
    card: dict[str, Any] = spec.get("card") or {}
    contract = graph.refs(model).get("contract")
    return [
        _text("Intended purpose", "1(a)", card.get("intended_use"), "spec.card.intended_use"),
        _text(
            "Limitations and out-of-scope use",
            "3",
            _join(card.get("out_of_scope"), *(card.get("limitations") or [])),
            "spec.card.limitations, spec.card.out_of_scope",
        ),
        _data(contract, spec),
        _training(spec),
        _metrics(spec),
        _text("Human oversight", "2(e), 3", card.get("human_oversight"), "spec.card.human_oversight"),
        _risks(card),
        _monitoring(graph, deployments),
    ]


def _text(topic: str, point: str, value: Any, field: str) -> AnnexItem:
    text = " ".join(str(value).split()) if value else ""
    return AnnexItem(topic, point, bool(text), text or f"missing: write {field}")


def _join(*parts: Any) -> str:
    return " ".join(" ".join(str(p).split()) for p in parts if p)


def _data(contract: Resource | None, spec: dict[str, Any]) -> AnnexItem:
    topic, point = "Training data and its governance", "2(d)"
    if contract is None:
        return AnnexItem(topic, point, False, "missing: spec.data.contract names no data contract")
    cspec = contract.spec
    columns = cspec.get("columns") or []
    source = cspec.get("source") or {}
    where = source.get("path") or source.get("uri") or "an unnamed source"
    features = spec.get("data", {}).get("features") or []
    detail = (
        f"data contract {contract.name} {cspec.get('version', '')} ({len(columns)} columns, "
        f"from {where}); {len(features)} features, target {spec.get('data', {}).get('target')}"
    )
    return AnnexItem(topic, point, bool(columns), detail)


def _training(spec: dict[str, Any]) -> AnnexItem:
    training = spec.get("training") or {}
    estimator = (training.get("estimator") or {}).get("class")
    if not estimator:
        return AnnexItem("Training method", "2(b)", False, "missing: spec.training.estimator")
    parts = [f"estimator {estimator}"]
    split = training.get("split") or {}
    if split:
        parts.append(f"test split {split.get('test_size')} (seed {split.get('seed')})")
    search = training.get("search") or {}
    if search:
        parts.append(f"{search.get('strategy')} search scored by {search.get('scoring', 'default')}")
    calibration = training.get("calibration") or {}
    if calibration:
        parts.append(f"{calibration.get('method')} calibration")
    return AnnexItem("Training method", "2(b)", True, "; ".join(parts))


def _metrics(spec: dict[str, Any]) -> AnnexItem:
    metrics = (spec.get("evaluation") or {}).get("metrics") or []
    if not metrics:
        return AnnexItem(
            "Accuracy metrics and thresholds", "2(g), 4", False, "missing: spec.evaluation.metrics"
        )
    parts = []
    for metric in metrics:
        bounds = []
        if metric.get("min") is not None:
            bounds.append(f"at least {metric['min']}")
        if metric.get("max") is not None:
            bounds.append(f"at most {metric['max']}")
        parts.append(f"{metric.get('name')} {' and '.join(bounds) or '(reported)'}")
    return AnnexItem("Accuracy metrics and thresholds", "2(g), 4", True, "; ".join(parts))


def _risks(card: dict[str, Any]) -> AnnexItem:
    risks = card.get("ethical_considerations") or []
    if not risks:
        return AnnexItem(
            "Known risks and their mitigation", "5", False,
            "missing: spec.card.ethical_considerations",
        )
    parts = [f"{r.get('name')}: {r.get('mitigation', 'no mitigation given')}" for r in risks]
    return AnnexItem("Known risks and their mitigation", "5", True, "; ".join(parts))


def _monitoring(graph: Graph, deployments: Sequence[Resource]) -> AnnexItem:
    """Monitoring where the model serves for real: on protected targets when it has any."""
    topic, point = "Post-market monitoring", "9"
    protected = [d for d in deployments if _protected(graph, d)]
    deployments = protected or deployments
    if not deployments:
        return AnnexItem(topic, point, False, "missing: the model has no deployment to monitor")
    watched = [d for d in deployments if d.spec.get("monitoring")]
    unwatched = [d.name for d in deployments if not d.spec.get("monitoring")]
    if unwatched:
        detail = f"missing: spec.monitoring on deployment {', '.join(unwatched)}"
        if watched:
            detail += f" (monitored: {', '.join(d.name for d in watched)})"
        return AnnexItem(topic, point, False, detail)
    parts = []
    for d in watched:
        monitoring = d.spec["monitoring"]
        checks = [k for k in ("drift", "performance", "latency_p95_ms", "error_rate_max") if k in monitoring]
        parts.append(f"{d.name}: {', '.join(checks)}; on breach {monitoring.get('on_breach', 'alert')}")
    return AnnexItem(topic, point, True, "; ".join(parts))


def _protected(graph: Graph, deployment: Resource) -> bool:
    target = graph.refs(deployment).get("target")
    return target is not None and bool(target.spec.get("protected"))
