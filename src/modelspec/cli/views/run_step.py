"""What `modelspec run-step` prints: one line per step."""

from __future__ import annotations

from modelspec.operations.run_step import Scored, StepOutcome
from modelspec.safetext import one_line

__all__ = ["scored", "step_line"]


def step_line(outcome: StepOutcome) -> str:
    """One line, whatever the spec's names and the engine's messages hold."""
    return one_line(_step_line(outcome))


def _step_line(outcome: StepOutcome) -> str:
    model, record = outcome.model, outcome.record
    if outcome.step == "validate-data":
        return f"{model}: data valid ({record['row_count']} rows, {len(record['checks'])} checks)"
    if outcome.step == "train":
        return f"{model}: trained, model in {outcome.workdir}"
    if outcome.step == "evaluate":
        gates = "; ".join(g["message"] for g in record["gates"]) or "no gates"
        return f"{model}: evaluated: {gates}"
    if outcome.step == "deploy":
        names = ", ".join(sorted(record["deployments"])) or "no deployments"
        return f"{model}: {record['build']} deployed to {names}"
    return f"{model}: registered {record['build']} at {record['registry_path']}"


def scored(result: Scored) -> str:
    return one_line(f"scored {result.rows} rows with {result.build}: {result.output}")
