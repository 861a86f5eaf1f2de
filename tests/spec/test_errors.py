"""Each kind of user mistake gives its error type, location and a message that says the fix."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from spec_examples import MISSING, changed

from modelspec.spec import KINDS


def errors_of(kind: str, doc: dict[str, Any]) -> list[ErrorDetails]:
    with pytest.raises(ValidationError) as info:
        KINDS[kind].model_validate(doc)
    return info.value.errors()


def only_error(kind: str, path: str, value: Any) -> ErrorDetails:
    errors = errors_of(kind, changed(kind, path, value))
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize(
    ("kind", "path", "value", "error", "loc"),
    [
        ("Model", "spec.trainig", {}, "extra_forbidden", "spec.trainig"),
        ("Model", "metadata.team", "x", "extra_forbidden", "metadata.team"),
        ("Model", "metadata.owner", MISSING, "missing", "metadata.owner"),
        ("DataContract", "spec.source", MISSING, "missing", "spec.source"),
        ("Model", "spec.task", "clustering", "literal_error", "spec.task"),
        ("Model", "kind", "Models", "literal_error", "kind"),
        ("Model", "apiVersion", "modelspec/v2", "literal_error", "apiVersion"),
        ("Model", "spec.data.features", [], "too_short", "spec.data.features"),
        ("Model", "spec.training.split.test_size", 1, "less_than", "spec.training.split.test_size"),
        ("Model", "spec.training.search.cv", 1, "greater_than_equal", "spec.training.search.cv"),
        (
            "Model",
            "spec.evaluation.metrics.0.name",
            "auc",
            "literal_error",
            "spec.evaluation.metrics.0.name",
        ),
        (
            "Model",
            "spec.training.estimator.class",
            "RandomForest",
            "string_pattern_mismatch",
            "spec.training.estimator.class",
        ),
        (
            "Deployment",
            "spec.resources.cpu",
            "half",
            "string_pattern_mismatch",
            "spec.resources.cpu",
        ),
        (
            "Deployment",
            "spec.resources.memory",
            "1GB",
            "string_pattern_mismatch",
            "spec.resources.memory",
        ),
        ("Deployment", "spec.autoscaling.target", 0, "greater_than", "spec.autoscaling.target"),
        (
            "Deployment",
            "spec.rollout.canary_percent",
            101,
            "less_than_equal",
            "spec.rollout.canary_percent",
        ),
        ("Approval", "spec.digest", "sha256:abc", "string_pattern_mismatch", "spec.digest"),
        ("Approval", "spec.subject", "churn-classifier", "string_pattern_mismatch", "spec.subject"),
        ("Waiver", "spec.resources", [], "too_short", "spec.resources"),
        ("DataContract", "spec.columns.1.type", "int", "literal_error", "spec.columns.1.type"),
        ("Policy", "spec.applies_to.kinds", ["Modle"], "literal_error", "spec.applies_to.kinds.0"),
        ("Policy", "spec.rules", [], "too_short", "spec.rules"),
    ],
)
def test_structural_errors(kind: str, path: str, value: Any, error: str, loc: str) -> None:
    err = only_error(kind, path, value)
    assert err["type"] == error
    assert ".".join(map(str, err["loc"])) == loc


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("Model", "metadata.name", "Churn"),
        ("Model", "metadata.name", "-churn"),
        ("Model", "metadata.name", "churn-"),
        ("Model", "metadata.name", "churn_classifier"),
        ("Model", "metadata.name", "a" * 64),
        ("Model", "metadata.name", ""),
        ("Deployment", "spec.target", "Prod"),
        ("Target", "spec.namespace", "ml.prod"),
        ("Policy", "spec.rules.0.id", "Oversight"),
    ],
)
def test_invalid_names(kind: str, path: str, value: str) -> None:
    err = only_error(kind, path, value)
    assert err["type"] == "ms_invalid_name"
    assert "lowercase letters, digits and '-'" in err["msg"]
    assert err.get("ctx", {}).get("hint")


def test_longest_valid_name_is_accepted() -> None:
    KINDS["Model"].model_validate(changed("Model", "metadata.name", "a" * 63))


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "01.2.3", "1.2.3.4", "1.2.3-", "1.2.x"])
def test_invalid_versions(version: str) -> None:
    err = only_error("Model", "spec.version", version)
    assert err["type"] == "ms_invalid_version"
    assert "MAJOR.MINOR.PATCH" in err["msg"]


@pytest.mark.parametrize("version", ["0.0.0", "1.4.0-rc.1", "10.20.30-alpha", "1.0.0-x-y.7.z"])
def test_valid_versions(version: str) -> None:
    KINDS["DataContract"].model_validate(changed("DataContract", "spec.version", version))


# Build metadata was valid semver, and the registry names builds <version>+<N>: a model at
# version 2.0.1+1 would be build 1 of 2.0.1. Refused for every kind that declares a version.
@pytest.mark.parametrize("kind", ["Model", "DataContract"])
@pytest.mark.parametrize(
    ("version", "release"),
    [("2.0.1+1", "2.0.1"), ("2.0.0+build.7", "2.0.0"), ("10.20.30-alpha+001", "10.20.30-alpha")],
)
def test_build_metadata_is_refused_with_what_to_write(kind: str, version: str, release: str) -> None:
    err = only_error(kind, "spec.version", version)
    assert err["type"] == "ms_invalid_version"
    build = version.partition("+")[2]
    assert err["msg"] == (
        f"'{version}' has build metadata (+{build}), which modelspec reserves for the builds it "
        f"registers as <version>+<N>: write {release}, or a pre-release such as {release}-rc.1"
    )
    assert err["ctx"]["hint"] == f"drop +{build}: write {release}"


def batch(schedule: Any) -> dict[str, Any]:
    doc = changed("Deployment", "spec.mode", "batch")
    spec = doc["spec"]
    del spec["autoscaling"]
    spec["rollout"] = {"strategy": "direct"}
    if schedule is not MISSING:
        spec["schedule"] = schedule
    return doc


def test_invalid_cron() -> None:
    errors = errors_of("Deployment", batch("0 25 * * *"))
    assert [e["type"] for e in errors] == ["ms_invalid_cron"]
    assert "hour" in errors[0]["msg"] and "@daily" in errors[0]["msg"]
    assert errors[0]["loc"] == ("spec", "schedule")


# (kind, path, value, loc of the model validated as a whole, ctx["at"], words in the message)
CROSS_FIELD = [
    ("DataContract", "spec.columns.1.min", 700, "spec.columns.1", "min", "greater than max"),
    (
        "DataContract",
        "spec.columns.0.min_length",
        20,
        "spec.columns.0",
        "min_length",
        "greater than max_length",
    ),
    ("DataContract", "spec.columns.2.min", 1, "spec.columns.2", "min", "integer and float"),
    (
        "DataContract",
        "spec.columns.1.pattern",
        "^[0-9]+$",
        "spec.columns.1",
        "pattern",
        "string columns",
    ),
    ("DataContract", "spec.columns.5.name", "plan", "spec", "columns.5.name", "listed twice"),
    ("DataContract", "spec.source.uri", "s3://b/k", "spec.source", "uri", "exactly one"),
    ("DataContract", "spec.quality.row_count", {}, "spec.quality.row_count", "min", "min, max"),
    (
        "DataContract",
        "spec.quality.row_count.max",
        10,
        "spec.quality.row_count",
        "min",
        "greater than max",
    ),
    ("Model", "spec.data.features", ["plan", "plan"], "spec.data", "features", "twice"),
    ("Model", "spec.data.features", ["plan", "churned"], "spec.data", "features", "target"),
    (
        "Model",
        "spec.training.search.strategy",
        "random",
        "spec.training.search",
        "max_trials",
        "max_trials",
    ),
    ("Model", "spec.training.search.max_trials", 5, "spec.training.search", "max_trials", "grid"),
    (
        "Model",
        "spec.training.search.space",
        {"max_depth": []},
        "spec.training.search",
        "space.max_depth",
        "empty",
    ),
    (
        "Model",
        "spec.evaluation.metrics.1.min",
        0.5,
        "spec.evaluation.metrics.1",
        "min",
        "greater than max",
    ),
    (
        "Model",
        "spec.evaluation.metrics.1",
        {"name": "f1"},
        "spec.evaluation.metrics.1",
        "min",
        "min, max",
    ),
    (
        "Model",
        "spec.evaluation.metrics.1",
        {"name": "roc_auc", "min": 0.5},
        "spec.evaluation",
        "metrics",
        "twice",
    ),
    (
        "Model",
        "spec.evaluation.metrics.1",
        {"name": "rmse", "max": 3},
        "spec",
        "evaluation.metrics.1.name",
        "not a classification metric",
    ),
    (
        "Model",
        "spec.training.search.scoring",
        "r2",
        "spec",
        "training.search.scoring",
        "not a classification metric",
    ),
    ("Model", "spec.task", "regression", "spec", "evaluation.metrics.0.name", "regression"),
    ("Target", "spec.namespace", MISSING, "spec", "namespace", "needs a namespace"),
    ("Target", "spec.promotion_from", "prod", "", "spec.promotion_from", "itself"),
    ("Deployment", "spec.replicas.min", 11, "spec.replicas", "min", "greater than max"),
    (
        "Deployment",
        "spec.rollout.canary_percent",
        MISSING,
        "spec.rollout",
        "canary_percent",
        "needs canary_percent",
    ),
    (
        "Deployment",
        "spec.rollout.canary_percent",
        0,
        "spec.rollout",
        "canary_percent",
        "between 1 and 100",
    ),
    (
        "Deployment",
        "spec.rollout",
        {"strategy": "shadow", "canary_percent": 5},
        "spec.rollout",
        "canary_percent",
        "only applies to strategy canary",
    ),
    ("Deployment", "spec.schedule", "@daily", "spec", "schedule", "takes no schedule"),
    (
        "Deployment",
        "spec.monitoring.performance",
        {"metric": "f1"},
        "spec.monitoring.performance",
        "min",
        "min, max",
    ),
    ("Policy", "spec.rules.1.id", "oversight-documented", "spec", "rules.1.id", "used twice"),
    ("Policy", "spec.rules.1", {"id": "x"}, "spec.rules.1", "assert", "exactly one of assert"),
    (
        "Policy",
        "spec.rules.1.assert",
        {"field": "spec.task", "exists": True},
        "spec.rules.1",
        "require_approval",
        "exactly one of assert",
    ),
    ("Policy", "spec.applies_to.kinds", ["Model", "Model"], "spec.applies_to", "kinds", "twice"),
    ("Waiver", "spec.resources", ["model.a", "model.a"], "spec", "resources", "twice"),
]


@pytest.mark.parametrize(("kind", "path", "value", "loc", "at", "words"), CROSS_FIELD)
def test_cross_field_rules(kind: str, path: str, value: Any, loc: str, at: str, words: str) -> None:
    err = only_error(kind, path, value)
    assert err["type"] == "ms_inconsistent"
    assert ".".join(map(str, err["loc"])) == loc
    assert err.get("ctx", {}).get("at") == at
    assert words in err["msg"]
    assert ":" in err["msg"], "the message says what is wrong, then how to fix it"
    assert err["ctx"]["hint"] and err["msg"].endswith(err["ctx"]["hint"])


def test_batch_deployment_rules() -> None:
    KINDS["Deployment"].model_validate(batch("*/15 1-5 * jan-mar mon-fri"))
    (err,) = errors_of("Deployment", batch(MISSING))
    assert err["type"] == "ms_inconsistent" and err["ctx"]["at"] == "schedule"
    doc = batch("@hourly")
    doc["spec"]["autoscaling"] = {"metric": "cpu", "target": 70}
    (err,) = errors_of("Deployment", doc)
    assert err["ctx"]["at"] == "autoscaling"
    doc = batch("@hourly")
    doc["spec"]["rollout"] = {"strategy": "canary", "canary_percent": 5}
    (err,) = errors_of("Deployment", doc)
    assert err["ctx"]["at"] == "rollout.strategy"


def test_regression_model_takes_no_calibration() -> None:
    doc = changed("Model", "spec.task", "regression")
    doc["spec"]["evaluation"]["metrics"] = [{"name": "r2", "min": 0.5}]
    doc["spec"]["training"]["search"]["scoring"] = "r2"
    (err,) = errors_of("Model", doc)
    assert err["ctx"]["at"] == "training.calibration"
    del doc["spec"]["training"]["calibration"]
    KINDS["Model"].model_validate(doc)


def test_invalid_column_regex() -> None:
    err = only_error("DataContract", "spec.columns.0.pattern", "([a-z")
    assert err["type"] == "ms_invalid_regex"
    assert err["loc"] == ("spec", "columns", 0, "pattern")
