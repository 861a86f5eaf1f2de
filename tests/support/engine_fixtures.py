"""Fixtures for the engine, learn, monitoring, registry and serving tests: the example project with its data, and a fast stand-in for GX validation."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from modelspec.compile import Graph, load_graph
from modelspec.project import Project, load_project

CLASSIFIER = "biopsy-malignancy-classifier"
REGRESSOR = "diabetes-progression-regressor"


@dataclass
class FakeResult:
    success: bool
    checks: list[Any] = field(default_factory=list)
    row_count: int = 0


@dataclass
class Example:
    """The example project written by init, with its data."""

    root: Path

    @property
    def project(self) -> Project:
        project, diags = load_project(self.root)
        assert project is not None, diags
        return project

    def graph(self) -> Graph:
        graph, diags = load_graph(self.project)
        assert not [d for d in diags if d.is_error], diags
        return graph

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def fast_validation(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """validate_data that passes without importing Great Expectations (tested on its own elsewhere).

    Returns the names of the contracts it was called with.
    """
    calls: list[str] = []

    def validate_data(contract: Any, data: Any) -> FakeResult:
        calls.append(contract.name)
        return FakeResult(True, [], len(data))

    try:
        import modelspec.engine.data_validation as module
    except ImportError:  # not written yet: stand in for the whole module
        module = types.ModuleType("modelspec.engine.data_validation")
        monkeypatch.setitem(sys.modules, "modelspec.engine.data_validation", module)
    monkeypatch.setattr(module, "validate_data", validate_data, raising=False)
    return calls


@pytest.fixture
def example(tmp_path: Path, fast_validation: list[str]) -> Example:
    """The example project; data validation is the fast stand-in (see fast_validation)."""
    from modelspec.examples.scaffold import init_project

    root = tmp_path / "example"
    init_project(root)
    return Example(root)


@pytest.fixture
def built(example: Example) -> Callable[[str], dict[str, Any]]:
    """Build a model of the example with the local engine; returns its outputs."""
    from modelspec.engine.local import LocalEngine
    from modelspec.state import State

    def build(name: str) -> dict[str, Any]:
        graph = example.graph()
        resource = graph.get(f"model.{name}")
        assert resource is not None
        return LocalEngine(example.project, graph).build(resource, None, State.empty("test"))

    return build


@pytest.fixture
def deployed(example: Example) -> Example:
    """The example with the classifier built and deployed to biopsy-classifier-prod."""
    from recorded_state import record_in_state

    from modelspec.engine.local import LocalEngine
    from modelspec.state import backend_for

    graph = example.graph()
    engine = LocalEngine(example.project, graph)
    for address in (f"model.{CLASSIFIER}", "deployment.biopsy-classifier-prod"):
        resource = graph.get(address)
        assert resource is not None
        state = backend_for(example.project).read()  # the deployment deploys what state records
        record_in_state(example.root, {address: engine.build(resource, None, state)})  # as apply
    return example
