"""The validate stage: a project's specs -> diagnostics (schema, references, policies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from modelspec import clock
from modelspec.compile import Graph, compile_documents, load_specs
from modelspec.diagnostics import Diagnostic, error_count, warning_count
from modelspec.gcpause import gc_paused
from modelspec.loading import LoadResult
from modelspec.policy import PolicyReport, evaluate_policies
from modelspec.project import Project

__all__ = ["Validation", "validate_project"]


@dataclass
class Validation:
    graph: Graph
    diagnostics: list[Diagnostic]
    policy: PolicyReport
    loaded: LoadResult = field(repr=False)

    @property
    def valid(self) -> bool:
        return error_count(self.diagnostics) == 0

    @property
    def error_count(self) -> int:
        return error_count(self.diagnostics)

    @property
    def warning_count(self) -> int:
        return warning_count(self.diagnostics)

    def source_line(self, file: str, line: int) -> str:
        return self.loaded.source_line(file, line)


def validate_project(project: Project, *, today: date | None = None) -> Validation:
    """Load, compile and check policies. today decides which waivers still hold (see modelspec.clock)."""
    with gc_paused():
        loaded = load_specs(project)
        graph, diags = compile_documents(loaded.documents)
        report = evaluate_policies(graph, today=today or clock.today())
    return Validation(
        graph=graph,
        diagnostics=loaded.diagnostics + diags + report.diagnostics,
        policy=report,
        loaded=loaded,
    )
