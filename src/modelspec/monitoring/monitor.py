"""Monitoring a deployment: drift of current data against the deployed build's reference, and performance."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph
from modelspec.compile.views import DeploymentView, ModelView, Refs
from modelspec.errors import EngineError
from modelspec.learn.train import NUMERIC_TYPES, feature_frame
from modelspec.monitoring.drift import FeatureDrift, feature_drift, summarize
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.registry.verify import VerifiedBuild

__all__ = ["DEFAULT_DRIFT", "MonitorReport", "PerformanceCheck", "act_on_breach", "monitor"]

DEFAULT_DRIFT: dict[str, Any] = {
    "method": "psi",
    "threshold": 0.2,
}  # used when the deployment declares no drift
FORMAT_VERSION = "1"


@dataclass(frozen=True)
class PerformanceCheck:
    metric: str
    value: float
    min: float | None
    max: float | None

    @property
    def breached(self) -> bool:
        return (self.min is not None and self.value < self.min) or (
            self.max is not None and self.value > self.max
        )

    def describe(self) -> str:
        if self.min is not None and self.value < self.min:
            return f"{self.metric} {self.value:.4g} < {self.min:.4g}"
        if self.max is not None and self.value > self.max:
            return f"{self.metric} {self.value:.4g} > {self.max:.4g}"
        return f"{self.metric} {self.value:.4g} within its gate"


@dataclass(frozen=True)
class MonitorReport:
    """Everything `modelspec monitor` found about one deployment."""

    deployment: str
    model: str
    build: str | None  # the deployed build (the target's alias)
    reference: str  # "build 1.0.0+2" or the reference file's path
    current: str
    row_count: int
    on_breach: str
    features: list[FeatureDrift] = field(default_factory=list)
    performance: PerformanceCheck | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def breaches(self) -> list[str]:
        out = [
            f"{f.feature} {f.method} {f.value:.4g} > {f.threshold:.4g}"
            for f in self.features
            if f.breached
        ]
        if self.performance is not None and self.performance.breached:
            out.append(self.performance.describe())
        return out

    @property
    def breached(self) -> bool:
        return bool(self.breaches)

    def as_dict(self) -> dict[str, Any]:
        perf = self.performance
        return {
            "format_version": FORMAT_VERSION,
            "deployment": self.deployment,
            "model": self.model,
            "build": self.build,
            "reference": self.reference,
            "current": self.current,
            "row_count": self.row_count,
            "on_breach": self.on_breach,
            "breached": self.breached,
            "breaches": self.breaches,
            "features": [f.as_dict() for f in self.features],
            "performance": None
            if perf is None
            else {
                "metric": perf.metric,
                "value": perf.value,
                "min": perf.min,
                "max": perf.max,
                "breached": perf.breached,
            },
            "notes": list(self.notes),
        }


def _read(path: Path, default_format: str) -> Any:
    from modelspec.learn.tabular import format_of, read_table

    try:
        return read_table(path, format_of(path) or default_format)
    except ValueError as exc:
        raise EngineError(str(exc)) from None


def _check(
    frame: Any, path: Path, types: Mapping[str, str], complete: tuple[str, ...] = ()
) -> None:
    from modelspec.learn.tabular import check_table

    try:
        check_table(frame, path, types=types, complete=complete)
    except ValueError as exc:
        raise EngineError(str(exc)) from None


def monitor(
    project: Project, graph: Graph, deployment: str, current: Path, reference: Path | None = None
) -> MonitorReport:
    """Drift per feature (the deployment's method and threshold) and, with labels, performance.

    The deployed build is the one apply deployed, opened only once its files match the
    digests state recorded (registry/trust.py); its model is rebuilt from model.skops.
    """
    from modelspec.registry.trust import open_deployed

    resource = graph.get(Address.of("Deployment", deployment))
    if resource is None:
        known = ", ".join(r.name for r in graph.of_kind("Deployment")) or "none"
        raise EngineError(f"there is no Deployment named {deployment!r} (deployments: {known})")
    refs = Refs.of(graph, resource)
    model, contract = refs.model, refs.contract
    if model is None:
        raise EngineError(f"deployment {deployment}: its model is not defined")
    view = DeploymentView(resource)
    types = contract.column_types if contract is not None else {}
    features = model.features
    numeric = tuple(f for f in features if types.get(f, "string") in NUMERIC_TYPES)
    categorical = tuple(f for f in features if f not in numeric)
    fmt = contract.source_format if contract is not None else "csv"
    monitoring = view.monitoring
    drift = monitoring.get("drift") or DEFAULT_DRIFT
    notes = [] if monitoring.get("drift") else ["no drift threshold declared: psi 0.2 used"]
    deployed = open_deployed(project, deployment, model.name, view.target)
    frame = _read(current, fmt)
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise EngineError(
            f"{current} has no column {', '.join(missing)} (features of {model.name})"
        )
    label = (str(model.target_column),) if monitoring.get("performance") else ()
    _check(frame, current, {c: types.get(c, "string") for c in (*features, *label)}, label)
    if reference is not None:
        seed = model.seed
        reference_frame = _read(reference, fmt)
        _check(reference_frame, reference, {f: types.get(f, "string") for f in features})
        summary = summarize(reference_frame, numeric, categorical, seed)
        reference_name = str(reference)
    elif deployed is not None:
        summary = _reference_summary(deployed)
        reference_name = f"build {deployed.build}"
    else:
        raise EngineError(
            f"deployment {deployment} has no deployed build on target {view.target}: "
            "apply it first, or pass --reference"
        )
    x = feature_frame(frame, numeric, categorical)
    drifts = [
        feature_drift(f, summary["features"][f], x[f], drift["method"], float(drift["threshold"]))
        for f in features
        if f in summary["features"]
    ]
    performance = None
    gate = monitoring.get("performance")
    target = model.target_column
    if gate and target in frame.columns and deployed is not None:
        performance = _performance(model, deployed.estimator(), x, frame[target], gate)
    elif gate:
        notes.append(
            f"performance not checked: the current data has no {target} column"
            if target not in frame.columns
            else "performance not checked: no deployed build"
        )
    return MonitorReport(
        deployment=deployment,
        model=model.name,
        build=deployed.build if deployed is not None else None,
        reference=reference_name,
        current=str(current),
        row_count=len(frame),
        on_breach=monitoring.get("on_breach", "alert"),
        features=drifts,
        performance=performance,
        notes=notes,
    )


def _reference_summary(deployed: VerifiedBuild) -> dict[str, Any]:
    """The training data's summary a build keeps in data.json (verified with the build)."""
    summary = deployed.json("data.json")
    if not isinstance(summary, dict) or not isinstance(summary.get("features"), dict):
        raise EngineError(f"{deployed.path / 'data.json'} holds no feature summary")
    return summary


def _performance(
    model: ModelView, estimator: Any, x: Any, y: Any, gate: Mapping[str, Any]
) -> PerformanceCheck:
    from modelspec.learn.evaluate import metrics_for

    metrics, _ = metrics_for(str(model.task), estimator, x, y)
    name = gate["metric"]
    if name not in metrics:
        raise EngineError(f"{name} cannot be computed for model {model.name} on the current data")
    return PerformanceCheck(name, metrics[name], gate.get("min"), gate.get("max"))


def act_on_breach(project: Project, report: MonitorReport) -> str | None:
    """Record what the deployment's on_breach asks for; a sentence saying what was done, or None."""
    from modelspec.state.triggers import record_trigger

    if not report.breached or report.on_breach == "alert":
        return None
    deployment = Address.of("Deployment", report.deployment)
    reason = (
        f"{'drift' if any(f.breached for f in report.features) else 'performance'} breach on "
        f"{deployment}: {'; '.join(report.breaches)}"
    )
    if report.on_breach == "retrain":
        model = Address.of("Model", report.model)
        record_trigger(project, str(model), reason, "retrain")
        return f"{model} is marked for retraining: the next plan replaces it"
    record_trigger(project, str(deployment), reason, "rollback")
    return f"{deployment} is marked for rollback: the next apply moves its alias back"


def render_json(report: MonitorReport) -> str:
    return json.dumps(report.as_dict(), indent=2, sort_keys=True) + "\n"


def render_text(report: MonitorReport) -> str:
    lines = [
        f"{Address.of('Deployment', report.deployment)}: model {report.model} build {report.build or '-'}, "
        f"{report.row_count} rows of {report.current} against {report.reference}",
    ]
    width = max((len(f.feature) for f in report.features), default=0)
    for f in report.features:
        mark = "DRIFT" if f.breached else "ok"
        lines.append(
            f"  {f.feature:<{width}}  {f.method:<13} {f.value:>9.4f}  (threshold {f.threshold:g})  {mark}"
        )
    if report.performance is not None:
        mark = "BREACH" if report.performance.breached else "ok"
        lines.append(f"  performance: {report.performance.describe()}  {mark}")
    lines.extend(f"  note: {n}" for n in report.notes)
    if report.breached:
        lines.append(f"Breach ({report.on_breach}): " + "; ".join(report.breaches))
    else:
        lines.append("No breach.")
    return "\n".join(lines) + "\n"


def render_html(report: MonitorReport) -> str:
    from html import escape

    rows = "".join(
        f'<tr class="{"breach" if f.breached else "ok"}"><td>{escape(f.feature)}</td>'
        f"<td>{escape(f.method)}</td><td>{f.value:.4f}</td><td>{f.threshold:g}</td>"
        f"<td>{'drift' if f.breached else 'ok'}</td></tr>"
        for f in report.features
    )
    perf = ""
    if report.performance is not None:
        perf = f"<p>Performance: {escape(report.performance.describe())}</p>"
    verdict = escape("; ".join(report.breaches)) if report.breached else "No breach."
    title = escape(f"Monitoring {Address.of('Deployment', report.deployment)}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>td,th{{padding:2px 8px}} .breach{{color:#b00}}</style></head>"
        f"<body><h1>{title}</h1><p>Model {escape(report.model)} build {escape(report.build or '-')}; "
        f"{report.row_count} rows of {escape(report.current)} against {escape(report.reference)}.</p>"
        "<table><tr><th>feature</th><th>method</th><th>value</th><th>threshold</th><th></th></tr>"
        f"{rows}</table>{perf}<p><strong>{verdict}</strong></p></body></html>\n"
    )

