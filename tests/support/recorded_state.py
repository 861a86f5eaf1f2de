"""State as apply would have recorded it, for tests that build models with the engine directly.

serve, monitor and batch scoring load a build only when state recorded its
digests (and, for a deployment, the build apply deployed): a test that calls
LocalEngine.build or run_pipeline without apply records the outputs here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from modelspec.compile import load_graph
from modelspec.project import load_project
from modelspec.state import LocalFileBackend, ResourceState

__all__ = ["record_in_state"]


def record_in_state(root: Path, outputs: Mapping[str, Mapping[str, Any]]) -> None:
    """Record outputs (address -> outputs) in the project's state, over what it holds.

    A Model's outputs keep the builds recorded before (as the engine merges them).
    """
    from modelspec.registry.trust import merged_builds

    project, _ = load_project(root)
    assert project is not None
    graph, _ = load_graph(project)
    backend = LocalFileBackend(project.state_path)
    state = backend.read()
    for address, values in outputs.items():
        resource = graph.get(address)
        assert resource is not None, address
        previous = state.resources.get(address)
        recorded = dict(values)
        if resource.kind == "Model":
            recorded = merged_builds(previous.outputs if previous else None, recorded)
        state = state.with_resource(
            ResourceState(
                address=address,
                kind=resource.kind,
                name=resource.name,
                digest=resource.digest,
                spec=resource.normalized,
                outputs=recorded,
                artifacts={},
                depends_on=tuple(resource.depends_on),
            )
        )
    backend.write(state.bump())
