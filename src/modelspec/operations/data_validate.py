"""The data validate operation: a data contract's checks (Great Expectations) on a data file."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from modelspec.compile import load_graph
from modelspec.compile.address import Address
from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import ContractView
from modelspec.diagnostics import Diagnostic, Severity
from modelspec.engine.data_report import FORMATS
from modelspec.engine.data_validation import DataValidationResult
from modelspec.project import Project

__all__ = ["FORMATS", "DataValidation", "data_validate", "find_contract", "source_path"]


@dataclass(frozen=True)
class DataValidation:
    """The checks' result on the data (shown: its path as printed); None when it could not run."""

    result: DataValidationResult | None
    contract: Resource | None = None
    shown: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)


def data_validate(project: Project, contract: str, data_path: Path | None = None) -> DataValidation:
    """Check data_path (default the contract's spec.source.path) against the named DataContract."""
    from modelspec.engine import data_validation as dv

    graph, load_diags = load_graph(project)
    resource, diags = find_contract(graph, contract)
    if resource is None:
        return DataValidation(None, diagnostics=[*[d for d in load_diags if d.is_error], *diags])
    path, fmt_of_data = data_path, None  # a file given by the user: its suffix says the format
    if path is None:
        path, diags = source_path(project.root, resource)
        if path is None:
            return DataValidation(None, resource, diagnostics=diags)
        fmt_of_data = ContractView(resource).source_format
    shown = _shown(path, project.root)
    try:
        result = dv.validate_file(resource, path, fmt_of_data)
    except dv.DataReadError as exc:
        problem = Diagnostic(Severity.ERROR, "MS002", str(exc))
        return DataValidation(None, resource, shown, [problem])
    return DataValidation(result, resource, shown)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def find_contract(graph: Graph, name: str) -> tuple[Resource | None, list[Diagnostic]]:
    """The DataContract called name, or a diagnostic that suggests the closest names."""
    contract = graph.get(Address.of("DataContract", name))
    if contract is not None:
        return contract, []
    names = sorted(r.name for r in graph.of_kind("DataContract"))
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        hint = f"did you mean {close[0]!r}?"
    else:
        hint = f"contracts in this project: {', '.join(names)}" if names else "the project has no DataContract"
    return None, [Diagnostic(Severity.ERROR, "MS301", f"no DataContract named {name!r}", hint=hint)]


def source_path(root: Path, contract: Resource) -> tuple[Path | None, list[Diagnostic]]:
    """The contract's spec.source.path under the project root; a uri source needs --data."""
    view = ContractView(contract)
    if view.source_path:
        return view.source_file(root), []
    return None, [
        Diagnostic(
            Severity.ERROR, "MS002",
            f"contract {contract.name!r} reads its data from {view.source_uri}, which this "
            "command does not fetch",
            hint="download the data and pass it with --data PATH",
        )
    ]


