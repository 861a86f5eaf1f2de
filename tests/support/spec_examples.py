"""Valid example documents of every kind, and a way to change one value in them."""

from __future__ import annotations

import copy
from typing import Any

_META = {"owner": "growth-ml"}

VALID: dict[str, dict[str, Any]] = {
    "DataContract": {
        "apiVersion": "modelspec/v1",
        "kind": "DataContract",
        "metadata": {"name": "churn", **_META, "description": "Customers.", "labels": {"a": "b"}},
        "spec": {
            "version": "1.3.0",
            "source": {"path": "data/churn.csv", "format": "csv"},
            "columns": [
                {
                    "name": "customer_id",
                    "type": "string",
                    "required": True,
                    "unique": True,
                    "classification": "pii",
                    "pattern": "^C[0-9]+$",
                    "min_length": 2,
                    "max_length": 12,
                },
                {
                    "name": "tenure_months",
                    "type": "integer",
                    "required": True,
                    "min": 0,
                    "max": 600,
                },
                {"name": "plan", "type": "string", "allowed": ["basic", "plus", "pro"]},
                {"name": "monthly_charges", "type": "float", "min": 0},
                {"name": "signup_date", "type": "date"},
                {"name": "churned", "type": "boolean", "required": True},
            ],
            "quality": {"row_count": {"min": 100}},
        },
    },
    "Model": {
        "apiVersion": "modelspec/v1",
        "kind": "Model",
        "metadata": {"name": "churn-classifier", **_META},
        "spec": {
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
                    "params": {"n_estimators": 200, "max_depth": None, "random_state": 7},
                },
                "preprocessing": {"numeric": "standard", "categorical": "onehot"},
                "split": {"test_size": 0.2, "seed": 7, "stratify": True},
                "search": {
                    "strategy": "grid",
                    "space": {"max_depth": [4, 8, 12]},
                    "cv": 5,
                    "scoring": "roc_auc",
                },
                "calibration": {"method": "isotonic"},
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
        },
    },
    "Target": {
        "apiVersion": "modelspec/v1",
        "kind": "Target",
        "metadata": {"name": "prod", **_META},
        "spec": {
            "platform": "kserve",
            "namespace": "ml-prod",
            "protected": True,
            "promotion_from": "staging",
        },
    },
    "Deployment": {
        "apiVersion": "modelspec/v1",
        "kind": "Deployment",
        "metadata": {"name": "churn-prod", **_META},
        "spec": {
            "model": "churn-classifier",
            "target": "prod",
            "mode": "online",
            "replicas": {"min": 2, "max": 10},
            "autoscaling": {"metric": "rps", "target": 50},
            "resources": {"cpu": "500m", "memory": "1Gi"},
            "rollout": {"strategy": "canary", "canary_percent": 10},
            "monitoring": {
                "drift": {"method": "psi", "threshold": 0.2},
                "performance": {"metric": "roc_auc", "min": 0.75},
                "latency_p95_ms": 250,
                "error_rate_max": 0.01,
                "on_breach": "retrain",
            },
        },
    },
    "Policy": {
        "apiVersion": "modelspec/v1",
        "kind": "Policy",
        "metadata": {"name": "high-risk-oversight", **_META},
        "spec": {
            "description": "High-risk models document oversight and are approved.",
            "enforcement": "hard-mandatory",
            "applies_to": {
                "kinds": ["Model"],
                "where": {"field": "spec.risk.tier", "in": ["high"]},
            },
            "rules": [
                {
                    "id": "oversight-documented",
                    "assert": {"field": "spec.card.human_oversight", "exists": True},
                    "message": "Describe how a person can oversee and override the model.",
                },
                {"id": "compliance-approved", "require_approval": {"role": "compliance"}},
                {
                    "id": "nested",
                    "assert": {
                        "all": [
                            {"not": {"field": "metadata.name", "matches": "^tmp-"}},
                            {
                                "any": [
                                    {"field": "spec.version", "gte": "1.0.0"},
                                    {"expr": "resource.spec.task == 'regression'"},
                                ]
                            },
                        ]
                    },
                },
            ],
        },
    },
    "Waiver": {
        "apiVersion": "modelspec/v1",
        "kind": "Waiver",
        "metadata": {"name": "fraud-legacy", **_META},
        "spec": {
            "policy": "protected-targets-use-canary",
            "rule": "canary-required",
            "resources": ["deployment.fraud-legacy-prod"],
            "justification": "Legacy model retires in Q1; no canary capacity.",
            "approved_by": "jane.doe",
            "expires": "2027-03-31",
        },
    },
    "Approval": {
        "apiVersion": "modelspec/v1",
        "kind": "Approval",
        "metadata": {"name": "churn-compliance", **_META},
        "spec": {
            "subject": "model.churn-classifier",
            "digest": "sha256:" + "ab" * 32,
            "role": "compliance",
            "approved_by": "jane.doe",
            "date": "2026-11-20",
        },
    },
}

MISSING = object()


def changed(kind: str, path: str, value: Any) -> dict[str, Any]:
    """A deep copy of VALID[kind] with the value at a dotted path set (or removed with MISSING)."""
    doc = copy.deepcopy(VALID[kind])
    *parents, last = path.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is MISSING:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return doc


def valid(kind: str) -> dict[str, Any]:
    """A deep copy of the valid example of a kind."""
    return copy.deepcopy(VALID[kind])
