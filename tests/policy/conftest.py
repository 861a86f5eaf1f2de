"""A small project (contract, model, targets, deployment) that policy tests add governance specs to."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from modelspec.compile import Graph, load_graph
from modelspec.diagnostics import has_errors
from modelspec.project import load_project

BASE_FILES: dict[str, str] = {
    "contracts/churn.yaml": """
        apiVersion: modelspec/v1
        kind: DataContract
        metadata: {name: churn, owner: data-team}
        spec:
          version: 1.0.0
          source: {path: data/churn.csv, format: csv}
          columns:
            - {name: customer_id, type: string, classification: pii}
            - {name: tenure_months, type: integer, min: 0}
            - {name: plan, type: string}
            - {name: churned, type: boolean, required: true}
        """,
    "models/churn.yaml": """
        apiVersion: modelspec/v1
        kind: Model
        metadata:
          name: churn
          owner: growth-ml
          labels: {domain: growth}
        spec:
          version: 1.0.0
          task: classification
          data:
            contract: churn
            target: churned
            features: [tenure_months, plan]
          training:
            estimator:
              class: sklearn.linear_model.LogisticRegression
          risk: {tier: high, personal_data: false}
          card:
            intended_use: Rank accounts for outreach.
        """,
    "targets.yaml": """
        apiVersion: modelspec/v1
        kind: Target
        metadata: {name: prod, owner: platform}
        spec: {platform: local, protected: true}
        ---
        apiVersion: modelspec/v1
        kind: Target
        metadata: {name: dev, owner: platform}
        spec: {platform: local}
        """,
    "deployments.yaml": """
        apiVersion: modelspec/v1
        kind: Deployment
        metadata: {name: churn-prod, owner: growth-ml}
        spec:
          model: churn
          target: prod
          replicas: {min: 1, max: 2}
          rollout: {strategy: direct}
        ---
        apiVersion: modelspec/v1
        kind: Deployment
        metadata: {name: churn-dev, owner: growth-ml}
        spec:
          model: churn
          target: dev
          rollout: {strategy: direct}
        """,
}

GraphFactory = Callable[[dict[str, str]], Graph]


def write_project(root: Path, files: dict[str, str]) -> Path:
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "modelspec.yaml").write_text("project: test\n", encoding="utf-8")
    for rel, text in {**BASE_FILES, **files}.items():
        path = root / "specs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def governed(tmp_path: Path) -> GraphFactory:
    """The compiled graph of the base project plus the given files (which must be valid)."""

    def make(files: dict[str, str]) -> Graph:
        root = write_project(tmp_path / "project", files)
        project, diags = load_project(root)
        assert project is not None, diags
        graph, diags = load_graph(project)
        assert not has_errors(diags), diags
        return graph

    return make
