"""Fixtures for artifact tests: hand-built resources and the engines' own schemas, tightened."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry
from referencing import Resource as SchemaResource

from modelspec.compile.graph import Resource, digest_of
from modelspec.generate import RenderContext

# The engines' published schemas, vendored with their source, commit and licence (README.md there).
VENDOR = Path(__file__).resolve().parents[1] / "vendor"

MakeResource = Callable[..., Resource]
Validate = Callable[[dict[str, Any]], list[str]]


def build(kind: str, name: str, spec: dict[str, Any], **metadata: Any) -> Resource:
    normalized = {
        "apiVersion": "modelspec/v1",
        "kind": kind,
        "metadata": {"name": name, "owner": "growth-ml", **metadata},
        "spec": spec,
    }
    return Resource(
        kind=kind, name=name, normalized=normalized, digest=digest_of(normalized), depends_on=()
    )


CONTRACT_SPEC: dict[str, Any] = {
    "version": "1.3.0",
    "source": {"path": "data/churn.csv", "format": "csv"},
    "columns": [
        {"name": "customer_id", "type": "string", "required": True, "classification": "pii"},
        {"name": "tenure_months", "type": "integer", "required": True, "min": 0},
        {"name": "plan", "type": "string", "allowed": ["basic", "plus", "pro"]},
        {"name": "monthly_charges", "type": "float", "min": 0},
        {"name": "churned", "type": "boolean", "required": True},
    ],
}

MODEL_SPEC: dict[str, Any] = {
    "version": "2.1.0",
    "task": "classification",
    "data": {
        "contract": "churn",
        "target": "churned",
        "features": ["tenure_months", "plan", "monthly_charges"],
    },
    "training": {
        "estimator": {
            "class": "sklearn.ensemble.RandomForestClassifier",
            "params": {"n_estimators": 200, "max_depth": 8, "random_state": 7},
        },
        "preprocessing": {"numeric": "standard", "categorical": "onehot"},
        "split": {"test_size": 0.2, "seed": 7, "stratify": True},
    },
    "evaluation": {
        "metrics": [{"name": "roc_auc", "min": 0.8}, {"name": "brier_score", "max": 0.2}]
    },
    "risk": {"tier": "limited", "personal_data": False},
    "card": {
        "intended_use": "Rank accounts for retention outreach.",
        "out_of_scope": "Pricing or credit decisions.",
        "limitations": ["Trained on 2024-2025 customers only."],
        "ethical_considerations": [
            {"name": "proxy discrimination", "mitigation": "no demographic features"}
        ],
        "human_oversight": "Retention staff review every list before outreach.",
        "license": "Apache-2.0",
    },
}


def deployment_spec(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "model": "churn-classifier",
        "target": "prod",
        "mode": "online",
        "replicas": {"min": 2, "max": 10},
        "autoscaling": {"metric": "rps", "target": 50},
        "resources": {"cpu": "500m", "memory": "1Gi"},
        "rollout": {"strategy": "canary", "canary_percent": 10},
        "monitoring": {
            "drift": {"method": "psi", "threshold": 0.2},
            "latency_p95_ms": 250,
            "error_rate_max": 0.01,
            "on_breach": "retrain",
        },
    }
    spec.update(overrides)
    return spec


@pytest.fixture
def ctx() -> RenderContext:
    return RenderContext(
        project="acme-ml",
        engine="argo",
        image="ghcr.io/acme/modelspec:1.0",
        registry_uri="pvc://modelspec-registry",
    )


@pytest.fixture
def contract() -> Resource:
    return build("DataContract", "churn", CONTRACT_SPEC)


@pytest.fixture
def make_model() -> MakeResource:
    def make(spec: dict[str, Any] | None = None, **metadata: Any) -> Resource:
        metadata.setdefault("description", "Predicts 90-day churn.")
        return build("Model", "churn-classifier", MODEL_SPEC if spec is None else spec, **metadata)

    return make


@pytest.fixture
def make_deployment(
    make_model: MakeResource, contract: Resource
) -> Callable[..., tuple[Resource, dict[str, Resource]]]:
    """A Deployment and its refs; keyword arguments override spec fields."""

    def make(
        platform: str = "kserve",
        namespace: str | None = "ml-prod",
        metadata: dict[str, Any] | None = None,
        **spec: Any,
    ) -> tuple[Resource, dict[str, Resource]]:
        target_spec: dict[str, Any] = {"platform": platform, "protected": True}
        if namespace is not None:
            target_spec["namespace"] = namespace
        target = build("Target", "prod", target_spec)
        deployment = build("Deployment", "churn-prod", deployment_spec(**spec), **(metadata or {}))
        return deployment, {"model": make_model(), "target": target, "contract": contract}

    return make


def _tighten(schema: Any) -> None:
    """Add additionalProperties: false to objects that list properties and allow nothing else."""
    if isinstance(schema, list):
        for item in schema:
            _tighten(item)
        return
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for sub in properties.values():
            _tighten(sub)
        if "additionalProperties" not in schema and not schema.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            schema["additionalProperties"] = False
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            _tighten(schema[key])
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        _tighten(schema.get(key))
    for key in ("definitions", "$defs", "patternProperties"):
        if isinstance(schema.get(key), dict):
            for sub in schema[key].values():
                _tighten(sub)


def _load(name: str) -> Any:
    schema = json.loads((VENDOR / name).read_text("utf-8"))
    _tighten(schema)
    return schema


def _errors(validator: Draft202012Validator) -> Validate:
    def validate(document: dict[str, Any]) -> list[str]:
        return sorted(
            f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(document)
        )

    return validate


@pytest.fixture(scope="session")
def validate_kserve() -> Validate:
    return _errors(Draft202012Validator(_load("kserve-inferenceservice-v1beta1.openapi.json")))


@pytest.fixture(scope="session")
def validate_prometheus_rule() -> Validate:
    return _errors(
        Draft202012Validator(_load("prometheus-operator-prometheusrule-v1.openapi.json"))
    )


@pytest.fixture(scope="session")
def validate_argo_workflow() -> Validate:
    schema = _load("argo-workflows.schema.json")
    registry: Registry[Any] = Registry().with_resource(
        schema["$id"], SchemaResource.from_contents(schema)
    )
    workflow = {"$ref": schema["$id"] + "#/definitions/io.argoproj.workflow.v1alpha1.Workflow"}
    return _errors(Draft202012Validator(workflow, registry=registry))


@pytest.fixture(scope="session")
def validate_pod_monitor() -> Validate:
    return _errors(Draft202012Validator(_load("prometheus-operator-podmonitor-v1.openapi.json")))
