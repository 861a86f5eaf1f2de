"""The diff operation: the specs at a git ref against the working tree, breaking changes flagged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from modelspec.compile import compile_documents, load_specs
from modelspec.contracts import FORMATS
from modelspec.contracts.gitref import load_specs_at
from modelspec.contracts.semantic import DiffReport, diff_graphs
from modelspec.diagnostics import Diagnostic
from modelspec.project import Project

__all__ = ["FORMATS", "SpecDiff", "diff_specs"]


@dataclass(frozen=True)
class SpecDiff:
    """The report (None when the base could not be read: diagnostics say why)."""

    report: DiffReport | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source_line: Callable[[str, int], str] = field(default=lambda _f, _l: "", repr=False)


def diff_specs(project: Project, base: str) -> SpecDiff:
    """Compile the specs at base and in the working tree and diff them.

    The report's errors are the working tree's own errors, then the breaking
    changes without a major version bump; the base's problems are not this change's.
    """
    at_base, diags = load_specs_at(project.root, project.specs_dir, base)
    if at_base is None:
        return SpecDiff(None, diags)
    before, _ = compile_documents(at_base.documents)
    loaded = load_specs(project)
    after, compile_diags = compile_documents(loaded.documents)
    report = diff_graphs(base, before, after)
    current = [d for d in (*loaded.diagnostics, *compile_diags) if d.is_error]
    merged = DiffReport(base, report.changes, [*current, *report.errors])
    return SpecDiff(merged, source_line=loaded.source_line)
