"""Training choices from the spec (preprocessing, search, calibration, seeding) and the metrics and gates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelspec.compile.graph import Resource
from modelspec.errors import EngineError
from modelspec.learn.evaluate import check_gates, classification_metrics, metrics_for
from modelspec.learn.train import TrainingData, feature_frame, fit


def _model(task: str, training: dict[str, Any]) -> Resource:
    normalized = {
        "apiVersion": "modelspec/v1",
        "kind": "Model",
        "metadata": {"name": "m", "owner": "t"},
        "spec": {
            "version": "1.0.0",
            "task": task,
            "training": training,
            "data": {"contract": "c", "target": "y", "features": ["a", "b", "colour"]},
        },
    }
    return Resource("Model", "m", normalized, "sha256:x", ("datacontract.c",))


def _data(target: Any) -> TrainingData:
    rng = np.random.default_rng(0)
    n = 300
    a = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "a": a,
            "b": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], size=n),
            "y": target(a),
        }
    )
    return TrainingData(
        frame,
        ("a", "b", "colour"),
        "y",
        ("a", "b"),
        ("colour",),
        {"a": "float", "b": "float", "colour": "string"},
        "sha256:d",
        "d.csv",
    )


def _binary(a: Any) -> Any:
    return a + np.random.default_rng(1).normal(scale=0.5, size=len(a)) > 0


def _evaluate(model: Resource, data: TrainingData) -> dict[str, float]:
    trained = fit(model, data)
    rows = data.frame.iloc[list(trained.test_rows)]
    x = feature_frame(rows, data.numeric, data.categorical)
    return metrics_for(model.spec["task"], trained.estimator, x, rows["y"])[0]


def test_random_search_and_isotonic_calibration_are_seeded() -> None:
    training = {
        "estimator": {
            "class": "sklearn.ensemble.RandomForestClassifier",
            "params": {"n_estimators": 10},
        },
        "preprocessing": {"numeric": "minmax", "categorical": "ordinal"},
        "split": {"test_size": 0.25, "seed": 3, "stratify": True},
        "search": {
            "strategy": "random",
            "space": {"max_depth": [2, 3, 4, 5]},
            "cv": 3,
            "scoring": "roc_auc",
            "max_trials": 2,
        },
        "calibration": {"method": "isotonic"},
    }
    model, data = _model("classification", training), _data(_binary)
    first = fit(model, data)
    assert type(first.estimator).__name__ == "CalibratedClassifierCV"
    assert first.estimator.method == "isotonic"
    assert set(first.best_params) == {"max_depth"}
    assert len(first.test_rows) == 75
    second = fit(model, data)
    assert first.test_rows == second.test_rows and first.best_params == second.best_params
    assert _evaluate(model, data) == _evaluate(model, data)


def test_grid_search_picks_from_the_space_and_unknown_categories_are_ignored() -> None:
    training = {
        "estimator": {"class": "sklearn.linear_model.LogisticRegression", "params": {}},
        "search": {"strategy": "grid", "space": {"C": [0.01, 1.0]}, "cv": 3, "scoring": "accuracy"},
    }
    model, data = _model("classification", training), _data(_binary)
    trained = fit(model, data)
    assert trained.best_params["C"] in (0.01, 1.0)
    unseen = pd.DataFrame({"a": [0.1], "b": [0.2], "colour": ["purple"]})
    assert trained.estimator.predict(feature_frame(unseen, ("a", "b"), ("colour",))).shape == (1,)


def test_ordinal_encoding_maps_unknown_values_to_minus_one() -> None:
    training = {
        "estimator": {"class": "sklearn.tree.DecisionTreeClassifier", "params": {}},
        "preprocessing": {"numeric": "none", "categorical": "ordinal"},
    }
    trained = fit(_model("classification", training), _data(_binary))
    preprocess = trained.estimator.named_steps["preprocess"]
    unseen = pd.DataFrame({"a": [0.1], "b": [0.2], "colour": ["purple"]})
    assert preprocess.transform(feature_frame(unseen, ("a", "b"), ("colour",)))[0, -1] == -1


def test_multiclass_metrics_are_macro_averaged() -> None:
    training = {"estimator": {"class": "sklearn.linear_model.LogisticRegression", "params": {}}}
    model = _model("classification", training)
    data = _data(lambda a: np.digitize(a, [-0.5, 0.5]).astype(str))
    trained = fit(model, data)
    rows = data.frame.iloc[list(trained.test_rows)]
    metrics, averaging = classification_metrics(
        trained.estimator, feature_frame(rows, data.numeric, data.categorical), rows["y"]
    )
    assert averaging.startswith("macro")
    assert set(metrics) == {
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "log_loss",
        "brier_score",
    }
    assert 0.5 < metrics["roc_auc"] <= 1


def test_an_estimator_without_probabilities_has_no_probability_metrics() -> None:
    training = {"estimator": {"class": "sklearn.svm.LinearSVC", "params": {}}}
    metrics = _evaluate(_model("classification", training), _data(_binary))
    assert "roc_auc" in metrics and "log_loss" not in metrics and "brier_score" not in metrics
    [gate] = check_gates(metrics, [{"name": "brier_score", "max": 0.2}])
    assert not gate.passed and "needs predicted probabilities" in gate.message


def test_regression_metrics() -> None:
    training = {
        "estimator": {"class": "sklearn.linear_model.Ridge", "params": {"alpha": 0.1}},
        "split": {"stratify": True},
    }  # ignored for regression
    metrics = _evaluate(_model("regression", training), _data(lambda a: 3 * a + 10))
    assert set(metrics) == {"r2", "mae", "rmse", "mape"}
    assert metrics["r2"] > 0.99 and metrics["rmse"] < 0.1 and metrics["mae"] <= metrics["rmse"]


def test_gate_messages_name_metric_value_and_threshold() -> None:
    results = check_gates(
        {"roc_auc": 0.81, "brier_score": 0.3, "f1": 0.9},
        [
            {"name": "roc_auc", "min": 0.95},
            {"name": "brier_score", "max": 0.2},
            {"name": "f1", "min": 0.5, "max": 1.0},
        ],
    )
    assert [r.message for r in results] == [
        "roc_auc 0.81 is below the gate 0.95",
        "brier_score 0.3 is above the gate 0.2",
        "f1 0.9 meets the gate >= 0.5 and <= 1",
    ]
    assert [r.passed for r in results] == [False, False, True]


def test_a_split_that_cannot_stratify_is_an_engine_error() -> None:
    training = {
        "estimator": {"class": "sklearn.linear_model.LogisticRegression", "params": {}},
        "split": {"test_size": 0.2, "seed": 0, "stratify": True},
    }
    data = _data(lambda a: np.where(np.arange(len(a)) == 0, "rare", "common"))
    with pytest.raises(EngineError, match="cannot split the data as the spec asks"):
        fit(_model("classification", training), data)
