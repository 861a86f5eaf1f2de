"""Conditions in plain English: one sentence for every operator and combinator."""

from __future__ import annotations

from typing import Any

import pytest

from modelspec.policy.english import describe


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        ({"field": "spec.risk.tier", "equals": "high"}, "spec.risk.tier is high"),
        ({"field": "spec.protected", "equals": True}, "spec.protected is true"),
        ({"field": "spec.risk.tier", "not_equals": "minimal"}, "spec.risk.tier is not minimal"),
        ({"field": "spec.risk.tier", "in": ["high"]}, "spec.risk.tier is one of high"),
        (
            {"field": "spec.risk.tier", "in": ["limited", "high"]},
            "spec.risk.tier is one of limited, high",
        ),
        (
            {"field": "spec.mode", "not_in": ["batch", "online"]},
            "spec.mode is none of batch, online",
        ),
        (
            {"field": "spec.card.human_oversight", "exists": True},
            "spec.card.human_oversight is set",
        ),
        ({"field": "spec.card.license", "exists": False}, "spec.card.license is not set"),
        ({"field": "spec.replicas.min", "gt": 1}, "spec.replicas.min is greater than 1"),
        ({"field": "spec.replicas.min", "gte": 2}, "spec.replicas.min is at least 2"),
        (
            {"field": "spec.monitoring.error_rate_max", "lt": 0.1},
            "spec.monitoring.error_rate_max is less than 0.1",
        ),
        (
            {"field": "spec.monitoring.latency_p95_ms", "lte": 250},
            "spec.monitoring.latency_p95_ms is at most 250",
        ),
        (
            {"field": "metadata.name", "matches": "^tmp-"},
            "metadata.name matches the pattern `^tmp-`",
        ),
        ({"field": "spec.data.features", "contains": "age"}, "spec.data.features contains age"),
        ({"field": "metadata.owner", "equals": "ml team"}, 'metadata.owner is "ml team"'),
        ({"field": "metadata.owner", "equals": ""}, 'metadata.owner is ""'),
        ({"expr": "spec.replicas.min >= 2"}, "the CEL expression `spec.replicas.min >= 2` holds"),
        ({"expr": "a &&\n  b"}, "the CEL expression `a && b` holds"),
    ],
)
def test_each_operator_reads_as_a_sentence(condition: dict[str, Any], text: str) -> None:
    assert describe(condition) == text


def test_combinators_and_nesting() -> None:
    a = {"field": "spec.a", "equals": 1}
    b = {"field": "spec.b", "exists": True}
    assert describe({"all": [a, b]}) == "all of: spec.a is 1; spec.b is set"
    assert describe({"any": [a, b]}) == "any of: spec.a is 1; spec.b is set"
    assert describe({"not": a}) == "not (spec.a is 1)"
    assert (
        describe({"all": [{"any": [a, b]}, {"not": b}]})
        == "all of: (any of: spec.a is 1; spec.b is set); not (spec.b is set)"
    )
