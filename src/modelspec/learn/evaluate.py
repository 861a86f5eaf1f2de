"""Evaluation: metrics on the held-out rows and the spec's gates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "GateResult",
    "check_gates",
    "classification_metrics",
    "metrics_for",
    "regression_metrics",
]


@dataclass(frozen=True)
class GateResult:
    """One metric gate, checked."""

    metric: str
    value: float | None
    min: float | None
    max: float | None
    passed: bool
    message: str  # "roc_auc 0.81 is below the gate 0.95" or "roc_auc 0.97 meets the gate >= 0.95"

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": self.value,
            "min": self.min,
            "max": self.max,
            "passed": self.passed,
            "message": self.message,
        }


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def check_gates(
    metrics: Mapping[str, float], gates: Sequence[Mapping[str, Any]]
) -> list[GateResult]:
    """Every gate of spec.evaluation.metrics against the computed metrics."""
    out = []
    for gate in gates:
        name = str(gate["name"])
        low, high = gate.get("min"), gate.get("max")
        value = metrics.get(name)
        if value is None:
            message = (
                f"{name} could not be computed for this model "
                "(it needs predicted probabilities: add training.calibration or use an estimator "
                "with predict_proba)"
            )
            out.append(GateResult(name, None, low, high, False, message))
        elif low is not None and value < low:
            out.append(
                GateResult(
                    name,
                    value,
                    low,
                    high,
                    False,
                    f"{name} {_fmt(value)} is below the gate {_fmt(low)}",
                )
            )
        elif high is not None and value > high:
            out.append(
                GateResult(
                    name,
                    value,
                    low,
                    high,
                    False,
                    f"{name} {_fmt(value)} is above the gate {_fmt(high)}",
                )
            )
        else:
            bounds = " and ".join(
                f"{op} {_fmt(bound)}"
                for op, bound in ((">=", low), ("<=", high))
                if bound is not None
            )
            out.append(
                GateResult(
                    name, value, low, high, True, f"{name} {_fmt(value)} meets the gate {bounds}"
                )
            )
    return out


# Significant digits kept of every metric. BLAS kernels chosen by CPU differ in
# the last bits of a float, and model cards committed under generated/ must be
# the same bytes on every machine that applies the same specs.
METRIC_DIGITS = 10


def metrics_for(task: str, estimator: Any, x: Any, y: Any) -> tuple[dict[str, float], str]:
    """All metrics of the task on (x, y), and how multi-class ones are averaged."""
    if task == "regression":
        metrics, averaging = regression_metrics(y, estimator.predict(x)), "none"
    else:
        metrics, averaging = classification_metrics(estimator, x, y)
    return {name: _rounded(value) for name, value in metrics.items()}, averaging


def _rounded(value: float) -> float:
    return float(f"{value:.{METRIC_DIGITS}g}")


def regression_metrics(y: Any, predicted: Any) -> dict[str, float]:
    from sklearn.metrics import (
        mean_absolute_error,
        mean_absolute_percentage_error,
        mean_squared_error,
        r2_score,
    )

    return {
        "mae": float(mean_absolute_error(y, predicted)),
        "mape": float(mean_absolute_percentage_error(y, predicted)),
        "r2": float(r2_score(y, predicted)),
        "rmse": float(mean_squared_error(y, predicted) ** 0.5),
    }


def classification_metrics(estimator: Any, x: Any, y: Any) -> tuple[dict[str, float], str]:
    """Binary metrics for the second class in sorted order (True, 1, 'yes'...); macro for multiclass.

    roc_auc is one-vs-rest for multi-class data. log_loss and brier_score need
    predicted probabilities and are left out for estimators without them.
    """
    import numpy as np
    from sklearn.metrics import (
        accuracy_score,
        brier_score_loss,
        f1_score,
        log_loss,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    classes = list(estimator.classes_)
    predicted = estimator.predict(x)
    proba = estimator.predict_proba(x) if hasattr(estimator, "predict_proba") else None
    binary = len(classes) == 2
    averaging = "binary" if binary else "macro (roc_auc one-vs-rest)"
    kwargs: dict[str, Any] = {"pos_label": classes[1]} if binary else {"average": "macro"}
    out = {
        "accuracy": float(accuracy_score(y, predicted)),
        "precision": float(precision_score(y, predicted, zero_division=0, **kwargs)),
        "recall": float(recall_score(y, predicted, zero_division=0, **kwargs)),
        "f1": float(f1_score(y, predicted, zero_division=0, **kwargs)),
    }
    if len(set(np.asarray(y).tolist())) < 2:
        return dict(sorted(out.items())), averaging  # roc_auc is undefined on one class
    if proba is not None:
        if binary:
            out["roc_auc"] = float(roc_auc_score(y, proba[:, 1]))
            positive = np.asarray(y) == classes[1]
            out["brier_score"] = float(brier_score_loss(positive, proba[:, 1]))
        else:
            out["roc_auc"] = float(roc_auc_score(y, proba, multi_class="ovr", labels=classes))
            out["brier_score"] = float(brier_score_loss(y, proba, labels=classes))
        out["log_loss"] = float(log_loss(y, proba, labels=classes))
    elif binary and hasattr(estimator, "decision_function"):
        out["roc_auc"] = float(roc_auc_score(y, estimator.decision_function(x)))
    return dict(sorted(out.items())), averaging
