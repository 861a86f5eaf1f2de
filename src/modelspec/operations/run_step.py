"""The run-step operation: one pipeline step of a model (what each Argo step runs), or batch scoring."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelspec.compile.graph import Graph
from modelspec.project import Project

__all__ = ["STEP_NAMES", "Scored", "StepOutcome", "run_step", "score"]

STEP_NAMES = ("validate-data", "train", "evaluate", "register", "score")


@dataclass(frozen=True)
class StepOutcome:
    """What a step of a model recorded; workdir is where it handed its data over."""

    step: str
    model: str
    record: dict[str, Any]
    workdir: Path


@dataclass(frozen=True)
class Scored:
    output: Path
    rows: int
    build: str


def run_step(
    project: Project, graph: Graph, step: str, model: str, workdir: Path | None = None
) -> StepOutcome:
    """Run validate-data, train, evaluate or register for a model; EngineError when it fails."""
    from modelspec.engine import steps

    context = steps.step_context(project, graph, model, workdir)
    runners = {
        "validate-data": steps.validate_data_step,
        "train": steps.train_step,
        "evaluate": steps.evaluate_step,
        "register": steps.register_step,
    }
    record = runners[step](context)
    return StepOutcome(step, model, record, context.workdir)


def score(
    project: Project,
    graph: Graph,
    deployment: str,
    input_path: Path | None = None,
    output_path: Path | None = None,
) -> Scored:
    """Predict with the build the deployment's target alias points at; EngineError when it cannot."""
    from modelspec.engine.local import score_batch

    out, rows, build = score_batch(project, graph, deployment, input_path, output_path)
    return Scored(out, rows, build)
