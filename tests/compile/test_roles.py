"""The table of reference roles: one entry per referencing field, the same for refs and dependencies."""

from __future__ import annotations

from typing import cast

from modelspec.compile.references import Candidate, dependencies
from modelspec.compile.roles import INHERITED, REFERENCES, Role, references_of
from modelspec.loading.documents import Document


def test_every_kind_that_refers_to_another_is_in_the_table() -> None:
    assert {kind: [r.role for r in refs] for kind, refs in REFERENCES.items()} == {
        "Model": [Role.CONTRACT],
        "Deployment": [Role.MODEL, Role.TARGET],
        "Target": [Role.PROMOTION_FROM],
        "Waiver": [Role.POLICY, Role.RESOURCES],
        "Approval": [Role.SUBJECT],
    }
    assert INHERITED == {"Deployment": ((Role.MODEL, Role.CONTRACT),)}
    assert isinstance(Role.CONTRACT, str) and Role.CONTRACT.value == "contract"  # what refs keys say


def test_references_of_reads_each_field_and_none_when_unset() -> None:
    spec = {"data": {"contract": "churn"}}
    assert [(r.role, v) for r, v in references_of("Model", spec)] == [(Role.CONTRACT, "churn")]
    assert [v for _, v in references_of("Target", {})] == [None]
    assert list(references_of("Policy", {"rules": []})) == []


def test_dependencies_follow_the_table() -> None:
    doc = cast(Document, None)  # dependencies never look at where a document came from
    waiver = {"spec": {"policy": "canary", "resources": ["deployment.a", "model.b"]}}
    candidate = Candidate("Waiver", "w", doc, None, waiver)
    assert dependencies(candidate) == [
        (("spec", "policy"), "policy.canary"),
        (("spec", "resources", 0), "deployment.a"),
        (("spec", "resources", 1), "model.b"),
    ]
