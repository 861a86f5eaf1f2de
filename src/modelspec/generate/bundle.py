"""The project bundle a pipeline carries into its pods: modelspec.yaml and the specs one model's steps need.

A pod has no git checkout, so a rendered pipeline (the Argo Workflow) carries
the project itself: a `modelspec.yaml` made from the render context and one
file per spec it needs, each the normalized document (defaults applied) as
JSON, which is YAML 1.2 and compiles back to the same digest. The specs are
the model, its data contract, the deployments that serve it and their
targets (with every `promotion_from` target, which the targets reference).
Data files are not carried: the pods mount them (docs/pipelines.md).

No `{{` appears in a bundle file: Argo would read it as a template tag, so
one inside a spec's text is written as `{\\u007b`, the same string in JSON.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from typing import Any

from modelspec.compile.graph import Graph, Resource
from modelspec.compile.roles import Role
from modelspec.generate.common import RenderContext

__all__ = [
    "CONFIG_FILE",
    "brace_safe_json",
    "bundle_files",
    "bundled_deployments",
    "data_path",
    "pipeline_refs",
]

CONFIG_FILE = "modelspec.yaml"
_BUNDLED_KINDS = ("Deployment", "Target")


def pipeline_refs(graph: Graph, model: Resource) -> dict[str, Resource]:
    """The deployments of a model and their targets (promotion_from ones too), by address.

    A rendered pipeline carries them so its last step can render the deployments'
    manifests for the build it registered; the render cache keys on them too.
    """
    out: dict[str, Resource] = {}
    for deployment in graph.of_kind("Deployment"):
        if deployment.spec.get("model") != model.name:
            continue
        out[deployment.address] = deployment
        target = graph.refs(deployment).get(Role.TARGET)
        while target is not None and target.address not in out:
            out[target.address] = target
            target = graph.refs(target).get(Role.PROMOTION_FROM)
    return dict(sorted(out.items()))


def bundled_deployments(refs: Mapping[str, Resource]) -> list[Resource]:
    """The deployments among a model's refs (pipeline_refs' entries), by name."""
    return sorted(
        (r for key, r in refs.items() if "." in key and r.kind == "Deployment"),
        key=lambda r: r.name,
    )


def brace_safe_json(value: Any, *, indent: int | None = 2) -> str:
    """JSON with sorted keys and no `{{` anywhere (inside strings it becomes `{\\u007b`).

    Outside strings JSON never has two braces in a row: an object's `{` is
    followed by a key's quote or its closing `}`.
    """
    text = json.dumps(value, sort_keys=True, indent=indent, ensure_ascii=False)
    return text.replace("{{", "{\\u007b") + ("\n" if indent is not None else "")


def _config(ctx: RenderContext) -> dict[str, Any]:
    return {
        "project": ctx.project,
        "specs": "specs",
        "generated": "generated",
        "pipelines": {"engine": ctx.engine, "image": ctx.image},
        "registry": {"uri": ctx.registry_uri},
    }


def bundle_files(
    model: Resource, refs: Mapping[str, Resource], ctx: RenderContext
) -> dict[str, str]:
    """Project-relative path -> text of every file in the model's bundle, sorted by path."""
    resources = [model]
    contract = refs.get(Role.CONTRACT)
    if contract is not None:
        resources.append(contract)
    resources += [r for key, r in refs.items() if "." in key and r.kind in _BUNDLED_KINDS]
    files = {CONFIG_FILE: brace_safe_json(_config(ctx))}
    for resource in resources:
        files[f"specs/{resource.kind.lower()}/{resource.name}.yaml"] = brace_safe_json(
            resource.normalized
        )
    return dict(sorted(files.items()))


def data_path(contract: Resource | None) -> str | None:
    """The contract's source path relative to the project, normalized; None for a uri source
    or a path that does not stay below the project root (absolute, or through `..`)."""
    if contract is None:
        return None
    source = contract.spec.get("source")
    value = source.get("path") if isinstance(source, Mapping) else None
    if not isinstance(value, str) or not value.strip() or "\x00" in value or "\\" in value:
        return None
    path = posixpath.normpath(value)
    if path.startswith("/") or path == "." or path.split("/")[0] == "..":
        return None
    return path
