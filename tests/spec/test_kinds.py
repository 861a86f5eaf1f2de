"""Valid documents of every kind, defaults, strictness and the normalized form."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from spec_examples import VALID, changed, valid

from modelspec.spec import API_VERSION, KINDS
from modelspec.spec.model import Model


def normalized(doc: BaseModel) -> dict[str, Any]:
    return doc.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_all_seven_kinds_are_registered() -> None:
    assert API_VERSION == "modelspec/v1"
    assert sorted(KINDS) == sorted(
        ["DataContract", "Model", "Target", "Deployment", "Policy", "Waiver", "Approval"]
    )
    for kind, model in KINDS.items():
        assert set(model.model_fields) == {"api_version", "kind", "metadata", "spec"}
        config = model.model_config
        assert config.get("extra") == "forbid" and config.get("strict") and config.get("frozen")
        assert model.model_fields["kind"].annotation is not None
        assert VALID[kind]["kind"] == kind


@pytest.mark.parametrize("kind", sorted(VALID))
def test_valid_example_validates_and_round_trips(kind: str) -> None:
    doc = KINDS[kind].model_validate(valid(kind))
    data = normalized(doc)
    assert data["apiVersion"] == API_VERSION and data["kind"] == kind
    again = KINDS[kind].model_validate(data)
    assert again == doc
    assert normalized(again) == data


@pytest.mark.parametrize("kind", sorted(VALID))
def test_every_field_has_a_description(kind: str) -> None:
    schema = KINDS[kind].model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    for definition in [schema, *defs.values()]:
        for name, prop in definition.get("properties", {}).items():
            ref = prop.get("$ref", "#/$defs/-").rsplit("/", 1)[-1]
            assert prop.get("description") or defs.get(ref, {}).get("description"), name


def test_minimal_model_gets_documented_defaults() -> None:
    minimal = {
        "apiVersion": "modelspec/v1",
        "kind": "Model",
        "metadata": {"name": "m", "owner": "me"},
        "spec": {
            "version": "0.1.0",
            "task": "regression",
            "data": {"contract": "c", "target": "y", "features": ["x"]},
            "training": {"estimator": {"class": "sklearn.linear_model.Ridge"}},
        },
    }
    spec = normalized(Model.model_validate(minimal))["spec"]
    assert spec["training"]["preprocessing"] == {"numeric": "standard", "categorical": "onehot"}
    assert spec["training"]["split"] == {"test_size": 0.2, "seed": 0, "stratify": True}
    assert spec["training"]["estimator"] == {"class": "sklearn.linear_model.Ridge", "params": {}}
    assert spec["risk"] == {"tier": "minimal", "personal_data": False}
    assert spec["evaluation"] == {"metrics": []}
    assert "search" not in spec["training"] and "calibration" not in spec["training"]


def test_minimal_deployment_and_target_defaults() -> None:
    dep = KINDS["Deployment"].model_validate(
        {
            "apiVersion": "modelspec/v1",
            "kind": "Deployment",
            "metadata": {"name": "d", "owner": "me"},
            "spec": {"model": "m", "target": "t"},
        }
    )
    spec = normalized(dep)["spec"]
    assert spec == {
        "model": "m",
        "target": "t",
        "mode": "online",
        "replicas": {"min": 1, "max": 1},
        "rollout": {"strategy": "direct"},
    }
    target = KINDS["Target"].model_validate(
        {
            "apiVersion": "modelspec/v1",
            "kind": "Target",
            "metadata": {"name": "dev", "owner": "me"},
            "spec": {"platform": "local"},
        }
    )
    assert normalized(target)["spec"] == {"platform": "local", "protected": False}
    assert normalized(target)["metadata"] == {"name": "dev", "owner": "me", "labels": {}}


def test_python_keywords_are_aliases() -> None:
    model = Model.model_validate(valid("Model"))
    assert model.spec.training.estimator.class_ == "sklearn.ensemble.RandomForestClassifier"
    policy = KINDS["Policy"].model_validate(valid("Policy"))
    rule = policy.spec.rules[0]  # type: ignore[attr-defined]
    assert rule.assert_.field == "spec.card.human_oversight"
    assert policy.spec.applies_to.where.in_ == ["high"]  # type: ignore[attr-defined]
    dumped = normalized(policy)
    assert "assert" in dumped["spec"]["rules"][0] and "in" in dumped["spec"]["applies_to"]["where"]


def test_models_are_frozen() -> None:
    model = Model.model_validate(valid("Model"))
    with pytest.raises(ValidationError):
        model.spec.version = "9.9.9"  # type: ignore[misc]


def test_int_is_accepted_where_a_float_is_expected() -> None:
    doc = changed("Model", "spec.evaluation.metrics.0.min", 1)
    assert Model.model_validate(doc).spec.evaluation.metrics[0].min == 1.0
    doc = changed("Deployment", "spec.monitoring.latency_p95_ms", 250)
    assert KINDS["Deployment"].model_validate(doc) is not None


@pytest.mark.parametrize(
    ("kind", "path", "value", "error"),
    [
        ("Deployment", "spec.replicas.max", "10", "int_type"),
        ("Deployment", "spec.replicas.max", 10.5, "int_type"),
        ("Deployment", "spec.replicas.max", True, "int_type"),
        ("Model", "spec.split_", None, "extra_forbidden"),
        ("Model", "spec.evaluation.metrics.0.min", "0.8", "float_type"),
        ("Model", "spec.risk.personal_data", "yes", "bool_type"),
        ("Model", "spec.risk.personal_data", 0, "bool_type"),
        ("Target", "spec.protected", "true", "bool_type"),
        ("Waiver", "spec.expires", 20270331, "string_type"),
    ],
)
def test_strict_types(kind: str, path: str, value: Any, error: str) -> None:
    with pytest.raises(ValidationError) as info:
        KINDS[kind].model_validate(changed(kind, path, value))
    assert error in {e["type"] for e in info.value.errors()}


def test_dates_are_strings_and_must_exist() -> None:
    waiver = KINDS["Waiver"].model_validate(valid("Waiver"))
    assert waiver.spec.expires == "2027-03-31"  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as info:
        KINDS["Waiver"].model_validate(changed("Waiver", "spec.expires", "2027-02-30"))
    assert info.value.errors()[0]["type"] == "ms_invalid_date"
    with pytest.raises(ValidationError) as info:
        KINDS["Waiver"].model_validate(changed("Waiver", "spec.expires", "31/03/2027"))
    assert info.value.errors()[0]["type"] == "string_pattern_mismatch"
