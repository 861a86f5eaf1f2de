"""The estimator allow-list."""

from __future__ import annotations

import subprocess
import sys

from modelspec.spec.estimators import ALLOWED, Estimator


def test_allow_list_covers_both_tasks() -> None:
    assert ALLOWED["sklearn.ensemble.RandomForestClassifier"] == Estimator(
        "sklearn.ensemble.RandomForestClassifier", "classification"
    )
    for path in [
        "sklearn.linear_model.LogisticRegression",
        "sklearn.ensemble.HistGradientBoostingRegressor",
        "sklearn.svm.LinearSVC",
        "sklearn.naive_bayes.GaussianNB",
        "sklearn.neighbors.KNeighborsRegressor",
        "sklearn.tree.DecisionTreeClassifier",
        "sklearn.ensemble.ExtraTreesRegressor",
    ]:
        assert path in ALLOWED
    classifier_names = ("Classifier", "SVC", "NB", "LogisticRegression")
    for path, estimator in ALLOWED.items():
        assert estimator.path == path and path.startswith("sklearn.")
        expected = "classification" if path.endswith(classifier_names) else "regression"
        assert estimator.task == expected, path


def test_spec_package_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, modelspec.spec, modelspec.spec.schema, modelspec.spec.reference;"
        "print(sorted(m for m in ('sklearn', 'pandas', 'scipy', 'great_expectations')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
