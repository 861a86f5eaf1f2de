"""The monitor operation: one deployment's drift and performance, and what its on_breach asks for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelspec.compile.graph import Graph
from modelspec.errors import EngineError, UserError
from modelspec.monitoring import FORMATS
from modelspec.monitoring.monitor import MonitorReport, act_on_breach, monitor
from modelspec.project import Project

__all__ = ["FORMATS", "Monitoring", "monitor_deployment"]


@dataclass(frozen=True)
class Monitoring:
    """The report, and a sentence saying what was recorded for the breach (None: nothing)."""

    report: MonitorReport
    action: str | None


def monitor_deployment(
    project: Project, graph: Graph, deployment: str, current: Path, reference: Path | None = None
) -> Monitoring:
    """Compare current data with the deployed build's reference; record a trigger on a breach."""
    try:
        report = monitor(project, graph, deployment, current, reference)
    except EngineError as exc:
        raise UserError(str(exc)) from None
    return Monitoring(report, act_on_breach(project, report))
