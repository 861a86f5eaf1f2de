"""The project bundle a pipeline carries into its pods: modelspec.yaml and the specs one model's steps need.

A pod has no git checkout, so a rendered pipeline (the Argo Workflow) carries
the project itself: a `modelspec.yaml` made from the render context and one
file per spec it needs, each the normalized document (defaults applied) as
JSON, which is YAML 1.2 and compiles back to the same digest. The specs are
the model, its data contract, the deployments that serve it and their
targets (with every `promotion_from` target, which the targets reference).
Data files are not carried: the pods mount them from the `modelspec-data`
claim at their project paths (docs/pipelines.md). A batch deployment's CronJob
carries a smaller bundle, the deployment's own (deployment_bundle), as a
ConfigMap whose keys are the paths with `/` as `_` (bundle_key).

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
    "DATA_CLAIM",
    "RUNNER_UID",
    "brace_safe_json",
    "bundle_files",
    "bundle_key",
    "bundled_deployments",
    "data_mount",
    "data_path",
    "data_volume",
    "deployment_bundle",
    "pipeline_refs",
    "runner_security_context",
]

CONFIG_FILE = "modelspec.yaml"
DATA_CLAIM = "modelspec-data"  # the project's data files at their project paths
RUNNER_UID = 10001  # the Dockerfile's user, whom the pods run as
_BUNDLED_KINDS = ("Deployment", "Target")


def pipeline_refs(graph: Graph, model: Resource) -> dict[str, Resource]:
    """The deployments of a model and their targets (promotion_from ones too), by address.

    A rendered pipeline carries them so its last step can render the deployments'
    manifests for the build it registered; the render cache keys on them too.
    """
    out: dict[str, Resource] = {}
    for deployment in graph.deployments_of(model.name):
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


def runner_security_context() -> dict[str, Any]:
    """A pod's securityContext: the image's non-root user, owning the claims it writes (fsGroup)."""
    return {
        "fsGroup": RUNNER_UID,
        "runAsGroup": RUNNER_UID,
        "runAsNonRoot": True,
        "runAsUser": RUNNER_UID,
    }


def data_volume() -> dict[str, Any]:
    """The pod volume of the data claim, read-only."""
    return {"name": "data", "persistentVolumeClaim": {"claimName": DATA_CLAIM, "readOnly": True}}


def data_mount(project_dir: str, data: str) -> dict[str, Any]:
    """The data claim's file at data (data_path's) mounted read-only at its place in the project."""
    return {"name": "data", "mountPath": f"{project_dir}/{data}", "subPath": data, "readOnly": True}


def bundle_key(path: str) -> str:
    """The ConfigMap key of a bundle file (`specs/model/x.yaml` -> `specs_model_x.yaml`): keys hold
    no `/`, and kinds and spec names no `_`, so every path has its own key."""
    return path.replace("/", "_")


def deployment_bundle(
    deployment: Resource, refs: Mapping[str, Resource], ctx: RenderContext
) -> dict[str, str]:
    """The bundle a deployment's own pods (the batch CronJob) run in: modelspec.yaml, its model and
    contract, the deployment and its target, with the targets that one is promoted from (the
    Target entries of refs by address, generate/cache.py render_refs)."""
    model, target = refs.get(Role.MODEL), refs.get(Role.TARGET)
    if model is None or target is None:
        raise ValueError(f"{deployment.address}: no model or target reference to bundle")
    carried: dict[str, Resource] = {deployment.address: deployment, target.address: target}
    carried.update({k: r for k, r in refs.items() if "." in k and r.kind == "Target"})
    contract = refs.get(Role.CONTRACT)
    if contract is not None:
        carried[Role.CONTRACT.value] = contract
    return bundle_files(model, carried, ctx)
