"""The validate stage: a project's specs -> diagnostics (schema, references, policies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from modelspec import clock
from modelspec.compile import Graph, compile_documents, data_path_problems, load_specs
from modelspec.diagnostics import Diagnostic, error_count, warning_count
from modelspec.gcpause import gc_paused
from modelspec.loading import LoadResult
from modelspec.policy import PolicyReport, evaluate_policies
from modelspec.project import Project

# Graph is listed for the CLI, which names the type without importing the compile stage.
__all__ = ["Compiled", "Graph", "Validation", "compile_project", "validate_project"]


@dataclass(frozen=True)
class Compiled:
    """A project's specs loaded and compiled; an error among the diagnostics means the graph is partial."""

    graph: Graph
    diagnostics: list[Diagnostic]
    loaded: LoadResult = field(repr=False)

    @property
    def valid(self) -> bool:
        return error_count(self.diagnostics) == 0

    def source_line(self, file: str, line: int) -> str:
        return self.loaded.source_line(file, line)


def compile_project(project: Project) -> Compiled:
    """Load and compile the specs, without judging policies: what every command that reads them needs."""
    loaded = load_specs(project)
    graph, diags = compile_documents(loaded.documents)
    return Compiled(graph, loaded.diagnostics + diags + data_path_problems(graph, project), loaded)


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
        compiled = compile_project(project)
        report = evaluate_policies(compiled.graph, today=today or clock.today())
    return Validation(
        graph=compiled.graph,
        diagnostics=compiled.diagnostics + report.diagnostics,
        policy=report,
        loaded=compiled.loaded,
    )
