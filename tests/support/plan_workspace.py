"""A small project (contract, model, target, deployment) on disk, with its state in memory."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from modelspec.compile import Graph, load_graph
from modelspec.diagnostics import Diagnostic, has_errors
from modelspec.executor import apply
from modelspec.generate.cache import ArtifactContent, render_artifacts
from modelspec.operations.plan import plan_graph
from modelspec.plan import Plan
from modelspec.project import Project, load_project
from modelspec.state import MemoryBackend, State

CONTRACT = """
apiVersion: modelspec/v1
kind: DataContract
metadata: {name: churn, owner: growth}
spec:
  version: 1.0.0
  source: {path: data/churn.csv, format: csv}
  columns:
    - {name: customer_id, type: string, required: true, unique: true}
    - {name: tenure_months, type: integer, required: true, min: 0}
    - {name: plan, type: string, allowed: [basic, plus, pro]}
    - {name: churned, type: boolean, required: true}
    - {name: notes, type: string}
"""

MODEL = """
apiVersion: modelspec/v1
kind: Model
metadata: {name: churn-model, owner: growth}
spec:
  version: 1.0.0
  task: classification
  data: {contract: churn, target: churned, features: [tenure_months, plan]}
  training:
    estimator:
      class: sklearn.ensemble.RandomForestClassifier
      params: {max_depth: 8, random_state: 7}
  evaluation:
    metrics: [{name: roc_auc, min: 0.7}]
  risk: {tier: minimal, personal_data: false}
  card: {intended_use: Rank accounts for outreach., license: MIT}
"""

TARGET = """
apiVersion: modelspec/v1
kind: Target
metadata: {name: prod, owner: platform}
spec: {platform: kserve, namespace: ml-prod}
"""

DEPLOYMENT = """
apiVersion: modelspec/v1
kind: Deployment
metadata: {name: churn-prod, owner: growth}
spec:
  model: churn-model
  target: prod
  mode: online
  replicas: {min: 1, max: 2}
  rollout: {strategy: direct}
"""

SPECS = {
    "contract.yaml": CONTRACT,
    "model.yaml": MODEL,
    "target.yaml": TARGET,
    "deployment.yaml": DEPLOYMENT,
}


def write_churn_data(root: Path, rows: int = 200, seed: int = 7) -> Path:
    """A deterministic data/churn.csv for CONTRACT: short tenure churns, so MODEL's gate passes."""
    rng = random.Random(seed)
    lines = ["customer_id,tenure_months,plan,churned,notes"]
    for i in range(rows):
        tenure = rng.randint(0, 60)
        plan_name = rng.choice(["basic", "plus", "pro"])
        churned = tenure < 18 if rng.random() < 0.9 else tenure >= 18  # 10% label noise
        lines.append(f"c{i:04d},{tenure},{plan_name},{str(churned).lower()},note {i % 7}")
    path = root / "data" / "churn.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


DIGEST = "sha256:" + "0" * 64  # the manifest digest DeployingEngine records


class DeployingEngine:
    """What apply's engine records without training: a Deployment deploys build `<version>+1`
    of its model (so its manifests, which name the build, are rendered); Models build nothing."""

    def build(self, resource: Any, previous: Any, state: Any = None) -> dict[str, Any]:
        if resource.kind != "Deployment":
            return {}
        model = state.resources.get(f"model.{resource.spec['model']}") if state else None
        version = model.outputs.get("version") if model is not None else None
        return {"model_build": f"{version or '0.0.0'}+1", "model_build_digest": DIGEST}


class Workspace:
    """A project on disk with its state in memory: edit specs, plan, apply."""

    def __init__(self, root: Path) -> None:
        self.root = root
        project, diags = load_project(root)
        assert project is not None, diags
        self.project: Project = project
        self.backend = MemoryBackend()

    @property
    def state(self) -> State:
        return self.backend.read()

    def write(self, name: str, text: str) -> None:
        (self.root / "specs" / name).write_text(text.lstrip("\n"), encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.root / "specs" / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def remove(self, name: str) -> None:
        (self.root / "specs" / name).unlink()

    def graph(self) -> tuple[Graph, dict[str, list[ArtifactContent]]]:
        graph, diags = load_graph(self.project)
        assert not has_errors(diags), diags
        return graph, render_artifacts(graph, self.project, self.state)  # as apply renders

    def plan(self, retrain: dict[str, str] | None = None) -> tuple[Plan, list[Diagnostic]]:
        """The planner's step of the plan operation, against the state in memory, without a lock."""
        graph, _ = self.graph()
        made, diags, _ = plan_graph(self.project, graph, self.state, retrain=retrain)
        return made, diags

    def apply(self, made: Plan | None = None) -> tuple[State, list[Diagnostic]]:
        if made is None:
            made, diags = self.plan()
            assert not has_errors(diags), diags
        graph, artifacts = self.graph()
        return apply(
            made, graph, self.backend, self.project, artifacts=artifacts, engine=DeployingEngine()
        )

    def generated(self, path: str) -> Path:
        return self.project.generated_dir / path
