"""Estimators come only from the allow-list; parameters are checked before anything is fitted."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest

from modelspec.errors import EngineError
from modelspec.learn import estimators


def test_a_class_off_the_allow_list_is_never_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    imported: list[str] = []
    real = importlib.import_module

    def spy(name: str, package: str | None = None) -> Any:
        imported.append(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", spy)
    for path in ("os.system", "evil_estimators_pkg.Backdoor", "sklearn.pipeline.Pipeline"):
        with pytest.raises(EngineError, match="is not on the allow-list"):
            estimators.make_estimator(path, {}, 0)
    assert imported == []
    assert "evil_estimators_pkg" not in sys.modules


def test_an_allowed_class_gets_its_params_and_the_split_seed() -> None:
    forest = estimators.make_estimator(
        "sklearn.ensemble.RandomForestClassifier", {"n_estimators": 5, "max_depth": 3}, 7
    )
    assert type(forest).__name__ == "RandomForestClassifier"
    assert (forest.n_estimators, forest.max_depth, forest.random_state) == (5, 3, 7)
    explicit = estimators.make_estimator(
        "sklearn.tree.DecisionTreeRegressor", {"random_state": 1}, 7
    )
    assert explicit.random_state == 1
    ridge = estimators.make_estimator("sklearn.linear_model.LinearRegression", {}, 7)
    assert not hasattr(ridge, "random_state")


def test_an_unknown_parameter_is_a_clear_error() -> None:
    with pytest.raises(
        EngineError, match=r"sklearn.linear_model.Ridge takes no parameter depth, n_trees"
    ):
        estimators.make_estimator("sklearn.linear_model.Ridge", {"n_trees": 3, "depth": 2}, 0)


def test_a_search_space_naming_no_parameter_is_a_clear_error() -> None:
    ridge = estimators.make_estimator("sklearn.linear_model.Ridge", {}, 0)
    with pytest.raises(
        EngineError, match=r"names gamma, which sklearn\.linear_model\.Ridge does not take"
    ):
        estimators.check_params(ridge, "sklearn.linear_model.Ridge", ["alpha", "gamma"])
