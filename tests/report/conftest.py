"""A governed project with every kind of outcome, and its report on a fixed day."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from modelspec.compile import load_graph
from modelspec.diagnostics import has_errors
from modelspec.policy import evaluate_policies
from modelspec.project import load_project
from modelspec.report import Report, build_report
from modelspec.state import ResourceState, State

TODAY = date(2026, 11, 27)
GENERATED_AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)

FILES: dict[str, str] = {
    "contract.yaml": """
        apiVersion: modelspec/v1
        kind: DataContract
        metadata: {name: biopsies, owner: data-team}
        spec:
          version: 2.0.0
          source: {path: data/biopsies.csv, format: csv}
          columns:
            - {name: patient_id, type: string, classification: pii}
            - {name: radius, type: float}
            - {name: texture, type: float}
            - {name: malignant, type: boolean, required: true}
        """,
    "models.yaml": """
        apiVersion: modelspec/v1
        kind: Model
        metadata: {name: biopsy, owner: oncology-ml}
        spec:
          version: 1.2.0
          task: classification
          data: {contract: biopsies, target: malignant, features: [radius, texture]}
          training:
            estimator: {class: sklearn.linear_model.LogisticRegression}
          evaluation:
            metrics: [{name: roc_auc, min: 0.9}]
          risk: {tier: high, personal_data: true}
          card:
            intended_use: Order the <b>pathology</b> worklist | by risk.
        ---
        apiVersion: modelspec/v1
        kind: Model
        metadata: {name: triage, owner: ops-ml}
        spec:
          version: 0.3.0
          task: classification
          data: {contract: biopsies, target: malignant, features: [radius]}
          training:
            estimator: {class: sklearn.linear_model.LogisticRegression}
          risk: {tier: minimal, personal_data: false}
          card:
            intended_use: Suggest a reading order.
            human_oversight: Staff reorder freely.
        """,
    "targets.yaml": """
        apiVersion: modelspec/v1
        kind: Target
        metadata: {name: prod, owner: platform}
        spec: {platform: kserve, namespace: ml-prod, protected: true}
        """,
    "deployments.yaml": """
        apiVersion: modelspec/v1
        kind: Deployment
        metadata: {name: biopsy-prod, owner: oncology-ml}
        spec:
          model: biopsy
          target: prod
          replicas: {min: 1, max: 2}
          rollout: {strategy: direct}
        ---
        apiVersion: modelspec/v1
        kind: Deployment
        metadata: {name: triage-prod, owner: ops-ml}
        spec:
          model: triage
          target: prod
          replicas: {min: 2, max: 2}
          rollout: {strategy: canary, canary_percent: 5}
        """,
    "policies.yaml": """
        apiVersion: modelspec/v1
        kind: Policy
        metadata: {name: high-risk-overseen, owner: compliance}
        spec:
          description: High-risk models document oversight and are approved by compliance.
          enforcement: hard-mandatory
          applies_to:
            kinds: [Model]
            where: {field: spec.risk.tier, in: [high]}
          rules:
            - id: oversight-documented
              assert: {field: spec.card.human_oversight, exists: true}
            - id: compliance-approved
              require_approval: {role: compliance}
        ---
        apiVersion: modelspec/v1
        kind: Policy
        metadata: {name: gradual-rollout, owner: platform}
        spec:
          description: Protected targets roll out gradually with a spare replica.
          enforcement: soft-mandatory
          applies_to:
            kinds: [Deployment]
            where: {field: refs.target.spec.protected, equals: true}
          rules:
            - id: canary-or-shadow
              assert: {field: spec.rollout.strategy, in: [canary, shadow]}
            - id: two-replicas
              assert: {field: spec.replicas.min, gte: 2}
        ---
        apiVersion: modelspec/v1
        kind: Policy
        metadata: {name: triage-approved, owner: compliance}
        spec:
          description: The triage model is approved by its clinical lead.
          enforcement: advisory
          applies_to:
            kinds: [Model]
            where: {field: metadata.name, equals: triage}
          rules:
            - id: lead-approved
              require_approval: {role: clinical-lead}
        """,
    "waivers.yaml": """
        apiVersion: modelspec/v1
        kind: Waiver
        metadata: {name: biopsy-one-replica, owner: oncology-ml}
        spec:
          policy: gradual-rollout
          rule: two-replicas
          resources: [deployment.biopsy-prod]
          justification: Low volume; the worklist falls back to arrival order.
          approved_by: dr.okafor
          expires: "2027-01-06"
        ---
        apiVersion: modelspec/v1
        kind: Waiver
        metadata: {name: biopsy-no-canary, owner: oncology-ml}
        spec:
          policy: gradual-rollout
          rule: canary-or-shadow
          resources: [deployment.biopsy-prod]
          justification: No canary capacity in 2026.
          approved_by: jane.doe
          expires: "2026-11-20"
        ---
        apiVersion: modelspec/v1
        kind: Waiver
        metadata: {name: triage-single-zone, owner: ops-ml}
        spec:
          policy: gradual-rollout
          resources: [deployment.triage-prod]
          justification: Second zone comes online in December.
          approved_by: ops.lead
          expires: "2026-12-02"
        """,
}


def approvals(biopsy_digest: str) -> str:
    return f"""
        apiVersion: modelspec/v1
        kind: Approval
        metadata: {{name: biopsy-compliance, owner: ines}}
        spec:
          subject: model.biopsy
          digest: {biopsy_digest}
          role: compliance
          approved_by: ines.marchetti
          date: "2026-11-20"
        ---
        apiVersion: modelspec/v1
        kind: Approval
        metadata: {{name: triage-lead, owner: sam}}
        spec:
          subject: model.triage
          digest: sha256:{"0" * 64}
          role: clinical-lead
          approved_by: sam.lead
          date: "2026-10-01"
        """


AUDIT: list[dict[str, Any]] = [
    {
        "time": "2026-11-25T10:00:00Z", "user": "ci-bot", "command": "apply",
        "summary": {"create": 5, "update": 0, "replace": 0, "delete": 0, "no_op": 0},
        "status": "ok", "git_commit": "0123456789abcdef0123", "overrides": [],
    },
    {
        "time": "2026-11-26T16:20:00Z", "user": "jane.doe", "command": "apply",
        "summary": {"create": 0, "update": 1, "replace": 0, "delete": 0, "no_op": 4},
        "status": "ok", "git_commit": None,
        "overrides": [
            {"policy": "gradual-rollout", "reason": "hotfix for incident 42", "user": "jane.doe",
             "time": "2026-11-26T16:20:00Z", "findings": ["..."]}
        ],
    },
]


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / "specs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def make_governed(root: Path) -> Path:
    """The project on disk, with a fresh approval of model.biopsy and a stale one of model.triage."""
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "modelspec.yaml").write_text("project: oncology\n", encoding="utf-8")
    _write(root, {**FILES, "approvals.yaml": approvals(f"sha256:{'0' * 64}")})
    project, _ = load_project(root)
    assert project is not None
    graph, _ = load_graph(project)
    biopsy = graph.get("model.biopsy")
    assert biopsy is not None
    _write(root, {"approvals.yaml": approvals(biopsy.digest)})
    return root


def applied_state() -> State:
    """biopsy-prod applied at 1.1.0 (the specs now say 1.2.0); triage not applied."""
    state = State.empty("lineage")
    for address, kind, outputs in [
        ("model.biopsy", "Model", {"version": "1.1.0"}),
        ("deployment.biopsy-prod", "Deployment", {"model_version": "1.1.0"}),
    ]:
        name = address.split(".", 1)[1]
        state = state.with_resource(
            ResourceState(address, kind, name, "sha256:0", {"kind": kind}, outputs, {})
        )
    return state


@pytest.fixture
def governed_root(tmp_path: Path) -> Path:
    return make_governed(tmp_path / "project")


@pytest.fixture
def report(governed_root: Path) -> Report:
    project, _ = load_project(governed_root)
    assert project is not None
    graph, diags = load_graph(project)
    assert not has_errors(diags), diags
    policy = evaluate_policies(graph, today=TODAY)
    return build_report(
        graph, policy, applied_state(), AUDIT, project="oncology", today=TODAY,
        generated_at=GENERATED_AT, diagnostics=diags + policy.diagnostics,
    )


@pytest.fixture
def audit_records() -> list[dict[str, Any]]:
    return [dict(record) for record in AUDIT]


@pytest.fixture
def applied() -> State:
    return applied_state()


class _Text(HTMLParser):
    """The text a reader sees: everything outside <style>, with whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


@pytest.fixture
def visible() -> Callable[[str], str]:
    """The text of an HTML page as a reader sees it, whitespace collapsed."""

    def text_of(html: str) -> str:
        parser = _Text()
        parser.feed(html)
        return parser.text

    return text_of
