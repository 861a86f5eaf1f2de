"""The EU AI Act Annex IV checklist for a high-risk model, marked from what its specs hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import ContractView, DeploymentView, ModelView, Refs

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
    view = ModelView(model)
    card = view.card
    contract = Refs.of(graph, model).contract
    return [
        _text("Intended purpose", "1(a)", card.get("intended_use"), "spec.card.intended_use"),
        _text(
            "Limitations and out-of-scope use",
            "3",
            _join(card.get("out_of_scope"), *(card.get("limitations") or [])),
            "spec.card.limitations, spec.card.out_of_scope",
        ),
        _data(contract, view),
        _training(view),
        _metrics(view),
        _text("Human oversight", "2(e), 3", card.get("human_oversight"), "spec.card.human_oversight"),
        _risks(card),
        _monitoring(graph, deployments),
    ]


def _text(topic: str, point: str, value: Any, field: str) -> AnnexItem:
    text = " ".join(str(value).split()) if value else ""
    return AnnexItem(topic, point, bool(text), text or f"missing: write {field}")


def _join(*parts: Any) -> str:
    return " ".join(" ".join(str(p).split()) for p in parts if p)


def _data(contract: ContractView | None, model: ModelView) -> AnnexItem:
    topic, point = "Training data and its governance", "2(d)"
    if contract is None:
        return AnnexItem(topic, point, False, "missing: spec.data.contract names no data contract")
    columns = contract.columns
    source = contract.source
    where = source.get("path") or source.get("uri") or "an unnamed source"
    detail = (
        f"data contract {contract.name} {contract.version} ({len(columns)} columns, "
        f"from {where}); {len(model.features)} features, target {model.target_column}"
    )
    return AnnexItem(topic, point, bool(columns), detail)


def _training(model: ModelView) -> AnnexItem:
    training = model.training
    estimator = model.estimator_class
    if not estimator:
        return AnnexItem("Training method", "2(b)", False, "missing: spec.training.estimator")
    parts = [f"estimator {estimator}"]
    split = model.split
    if split:
        parts.append(f"test split {split.get('test_size')} (seed {split.get('seed')})")
    search = training.get("search") or {}
    if search:
        parts.append(f"{search.get('strategy')} search scored by {search.get('scoring', 'default')}")
    calibration = training.get("calibration") or {}
    if calibration:
        parts.append(f"{calibration.get('method')} calibration")
    return AnnexItem("Training method", "2(b)", True, "; ".join(parts))


def _metrics(model: ModelView) -> AnnexItem:
    metrics = model.gates
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


def _risks(card: Mapping[str, Any]) -> AnnexItem:
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
    views = [DeploymentView(d) for d in deployments]
    watched = [d for d in views if d.monitoring]
    unwatched = [d.name for d in views if not d.monitoring]
    if unwatched:
        detail = f"missing: spec.monitoring on deployment {', '.join(unwatched)}"
        if watched:
            detail += f" (monitored: {', '.join(d.name for d in watched)})"
        return AnnexItem(topic, point, False, detail)
    parts = []
    for d in watched:
        monitoring = d.monitoring
        checks = [k for k in ("drift", "performance", "latency_p95_ms", "error_rate_max") if k in monitoring]
        parts.append(f"{d.name}: {', '.join(checks)}; on breach {monitoring.get('on_breach', 'alert')}")
    return AnnexItem(topic, point, True, "; ".join(parts))


def _protected(graph: Graph, deployment: Resource) -> bool:
    target = Refs.of(graph, deployment).target
    return target is not None and target.protected
