"""The render cache: every resource's generated files, rendered only when what they depend on changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from modelspec.compile.graph import Graph, Resource, digest_of
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.generate.common import RenderContext
    from modelspec.state import State

__all__ = [
    "ArtifactContent",
    "render_artifacts",
    "render_context",
    "render_key",
    "render_refs",
    "render_resource",
]


# Raised when what the renderers write changes within a version, so an upgraded tool re-renders
# (and re-deploys) what an older one applied: 2 = manifests that name the exact build.
RENDER_FORMAT = 2


class ArtifactContent(Protocol):
    """A rendered file: path relative to generated/, its bytes and their digest."""

    @property
    def path(self) -> str: ...

    @property
    def content(self) -> bytes: ...

    @property
    def digest(self) -> str: ...


def render_artifacts(
    graph: Graph, project: Project, state: State | None = None
) -> dict[str, list[ArtifactContent]]:
    """Every resource's generated files, by address (pure: nothing is written).

    With a state, each resource renders with the outputs recorded for it (a
    model card reports the metrics of the build last applied), and a resource
    whose render key is the one recorded is not rendered at all: its recorded
    paths and digests stand in, and the bytes are rendered only if apply needs
    them (to restore a hand-edited file). That keeps a no-change plan of a
    large project close to the cost of validate.
    """
    ctx = render_context(project)
    recorded = state.resources if state is not None else {}
    out: dict[str, list[ArtifactContent]] = {}
    for resource in graph:
        previous = recorded.get(resource.address)
        outputs = previous.outputs if previous is not None else None
        if previous is not None and previous.render_key == render_key(resource, graph, ctx, outputs):
            lazy = _LazyRender(resource, graph, ctx, outputs)
            out[resource.address] = [
                _RecordedArtifact(path, digest, lazy) for path, digest in previous.artifacts.items()
            ]
        else:
            out[resource.address] = _render(resource, graph, ctx, outputs)
    return out


def render_context(project: Project) -> RenderContext:
    from modelspec.generate.common import RenderContext

    return RenderContext(
        project=project.name,
        engine=project.config.pipelines.engine,
        image=project.config.pipelines.image,
        registry_uri=project.config.registry.uri,
    )


def render_key(
    resource: Resource, graph: Graph, ctx: RenderContext, outputs: Mapping[str, Any] | None
) -> str:
    """What a resource's artifacts are a function of, as one digest."""
    from modelspec import __version__

    refs = render_refs(resource, graph, ctx)
    return digest_of(
        {
            "modelspec": __version__,
            "format": RENDER_FORMAT,
            "resource": resource.digest,
            "refs": {role: ref.digest for role, ref in sorted(refs.items())},
            "context": [ctx.project, ctx.engine, ctx.image, ctx.registry_uri],
            "outputs": dict(outputs or {}),
        }
    )


def render_resource(
    resource: Resource, graph: Graph, project: Project, outputs: Mapping[str, Any] | None
) -> list[ArtifactContent]:
    return _render(resource, graph, render_context(project), outputs)


def _render(
    resource: Resource, graph: Graph, ctx: RenderContext, outputs: Mapping[str, Any] | None
) -> list[ArtifactContent]:
    from modelspec.generate import render

    return list(render(resource, render_refs(resource, graph, ctx), ctx, outputs))


def render_refs(resource: Resource, graph: Graph, ctx: RenderContext) -> dict[str, Resource]:
    """What a resource renders with: its refs by role; a Model's rendered pipeline also carries
    the deployments that serve it and their targets, by address (generate/bundle.py), and a
    batch Deployment's CronJob the targets its target is promoted from (its bundle compiles)."""
    refs = graph.refs(resource)
    if resource.kind == "Model" and ctx.engine in ("argo", "kubeflow"):
        from modelspec.generate.bundle import pipeline_refs

        refs.update(pipeline_refs(graph, resource))
    elif resource.kind == "Deployment" and resource.spec.get("mode") == "batch":
        from modelspec.compile.roles import Role

        target = refs.get(Role.TARGET)
        while target is not None:
            target = graph.refs(target).get(Role.PROMOTION_FROM)
            if target is None or target.address in refs:
                break
            refs[target.address] = target
    return refs


class _LazyRender:
    """Renders one resource's artifacts the first time their bytes are asked for."""

    def __init__(
        self, resource: Resource, graph: Graph, ctx: RenderContext, outputs: Mapping[str, Any] | None
    ) -> None:
        self._args = (resource, graph, ctx, outputs)
        self._by_path: dict[str, bytes] | None = None

    def content(self, path: str) -> bytes:
        if self._by_path is None:
            self._by_path = {a.path: a.content for a in _render(*self._args)}
        return self._by_path[path]


class _RecordedArtifact:
    """An artifact known by its recorded path and digest; its bytes are rendered on demand."""

    def __init__(self, path: str, digest: str, source: _LazyRender) -> None:
        self._path, self._digest, self._source = path, digest, source

    @property
    def path(self) -> str:
        return self._path

    @property
    def digest(self) -> str:
        return self._digest

    @property
    def content(self) -> bytes:
        return self._source.content(self._path)


