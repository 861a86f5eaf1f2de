"""Where `apply` meets a cluster pipeline: deployments take up the build the pipeline deployed.

With `pipelines.engine: argo` or `kubeflow`, apply renders the pipeline and
trains nothing; the pipeline's pods train, register the build in the registry
and, in their last step, point the deployment target's alias at it and apply
the manifests that name it. When the registry is visible to modelspec
(`registry.path`, or `MODELSPEC_REGISTRY_DIR` pointing at the volume the
pipeline writes), plan reads each deployment's alias: a build there that state
does not record is an update of the deployment ("the pipeline deployed ..."),
and apply records it (with the sha256 of its manifest.json, so everything
that loads it later verifies it) and renders the manifests that name it, the
same ones the pipeline applied. A build that is not of the model's current
version is ignored: the specs moved on and the next pipeline run builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import DeploymentView, ModelView, Refs
from modelspec.errors import EngineError
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.state import ResourceState, State

__all__ = ["PipelineEngine", "build_facts", "deployed_by_pipeline"]


def _alias_build(project: Project, model: ModelView, target: str) -> str | None:
    """The build the target's alias names, when it is a build of the model's current version."""
    from modelspec.registry.backend import registry_for

    try:
        build = registry_for(project).get_alias(model.name, target)
    except EngineError:
        return None  # an alias that names no build folder is never followed
    if build is None or not build.startswith(f"{model.version}+"):
        return None
    return build


def deployed_by_pipeline(project: Project, graph: Graph, state: State) -> dict[str, str]:
    """Deployment address -> why it changes, for each alias naming a build state does not record."""
    if project.config.pipelines.engine == "local" or not project.registry_dir.is_dir():
        return {}
    reasons: dict[str, str] = {}
    for deployment in graph.of_kind("Deployment"):
        model = Refs.of(graph, deployment).model
        if model is None:
            continue
        build = _alias_build(project, model, DeploymentView(deployment).target)
        recorded = state.resources.get(deployment.address)
        current = recorded.outputs.get("model_build") if recorded is not None else None
        if build is not None and build != current:
            was = f" (was {current})" if current else ""
            reasons[deployment.address] = f"the pipeline deployed {model.name} {build}{was}"
    return reasons


class PipelineEngine:
    """apply's engine for argo and kubeflow: models train in the cluster; deployments record the
    build the pipeline deployed."""

    def __init__(self, project: Project, graph: Graph) -> None:
        self.project = project
        self.graph = graph

    def build(
        self, resource: Resource, previous: ResourceState | None, state: State | None = None
    ) -> dict[str, Any]:
        if resource.kind != "Deployment":
            return {}
        model = Refs.of(self.graph, resource).model
        if model is None:
            return {}
        build = _alias_build(self.project, model, DeploymentView(resource).target)
        if build is None:
            kept = dict(previous.outputs) if previous is not None else {}
            return {k: v for k, v in kept.items() if k != "model_version"}
        return {"model_build": build, **build_facts(self.project.registry_dir, model.name, build)}


def build_facts(registry: Path, model: str, build: str) -> Mapping[str, Any]:
    """What a deployment records of a registered build, as its manifests show it: the sha256
    of its manifest.json, and the scikit-learn version it was trained with."""
    from modelspec import jsonio
    from modelspec.files import ReadRefused, read_regular
    from modelspec.registry.local import MANIFEST, MAX_JSON_BYTES, sha256

    folder = registry / model / build
    try:
        manifest = read_regular(folder / MANIFEST, limit=MAX_JSON_BYTES)
    except (OSError, ReadRefused) as exc:
        raise EngineError(f"{folder / MANIFEST} cannot be read: {exc}") from None
    facts: dict[str, Any] = {"model_build_digest": sha256(manifest)}
    try:
        versions = jsonio.loads(read_regular(folder / "versions.json", limit=MAX_JSON_BYTES))
    except (OSError, ValueError):
        return facts
    if isinstance(versions, dict) and isinstance(versions.get("sklearn"), str):
        facts["sklearn_version"] = versions["sklearn"]
    return facts
