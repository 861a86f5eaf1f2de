"""Argo Workflows Workflow (argoproj.io/v1alpha1) that trains, registers and deploys a Model (engine argo).

The Workflow has no namespace: it runs where it is submitted
(`argo submit -n NS generated/pipelines/<model>/workflow.yaml`), and each
submission gets a fresh name from `generateName: train-<model>-`. Its steps
run strictly in order, each a pod running `modelspec run-step STEP --model
NAME` in the project's image, and share only what the Workflow declares
(docs/pipelines.md):

- `work`, a volume claim template mounted at /work: the project bundle
  (generate/bundle.py) that the first step's raw input artifacts write to
  /work/project, and the records steps hand over in /work/steps;
- `registry`, the registry's PersistentVolumeClaim (`pvc://<claim>[/<sub>]`
  in registry.uri) at /var/lib/modelspec/registry;
- `data`, the claim `modelspec-data` holding the project's data files at
  their project paths: the contract's source file is mounted read-only at
  its place in the bundle.

After `register`, `deploy` points each deployment's target alias at the new
build and renders the deployments' manifests for it; one `resource` step per
manifest applies them (`kubectl apply`), so the cluster serves the build
without a second apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from modelspec.compile.graph import Resource
from modelspec.compile.roles import Role
from modelspec.compile.views import ModelView
from modelspec.generate.bundle import (
    DATA_CLAIM,
    RUNNER_UID,
    brace_safe_json,
    bundle_files,
    bundled_deployments,
    data_mount,
    data_path,
    data_volume,
    runner_security_context,
)
from modelspec.generate.common import (
    MANAGED_BY,
    Artifact,
    RenderContext,
    label_value,
    registry_volume,
    yaml_artifact,
)
from modelspec.generate.kubernetes import REGISTRY_MOUNT
from modelspec.generate.views import model_annotations

__all__ = [
    "DATA_CLAIM",
    "DEPLOY_DIR",
    "PIPELINE_STEPS",
    "PROJECT_DIR",
    "RUNNER_UID",
    "STEPS_DIR",
    "WORK_MOUNT",
    "deploy_manifests",
    "manifest_parameter",
    "render_workflow",
    "workflow",
]

PIPELINE_STEPS = ("validate-data", "train", "evaluate", "register")
DEPLOY_STEP = "deploy"
WORK_MOUNT = "/work"
PROJECT_DIR = f"{WORK_MOUNT}/project"  # MODELSPEC_PROJECT_DIR: the bundle
STEPS_DIR = f"{WORK_MOUNT}/steps"  # MODELSPEC_WORK_DIR: the records steps hand over
DEPLOY_DIR = "deploy"  # below STEPS_DIR: the manifests the deploy step rendered
WORK_SIZE = "1Gi"
APPLY_TEMPLATE = "apply-manifest"
_PLACEHOLDER_DIGEST = "sha256:" + "0" * 64
_NAME_INVALID = re.compile(r"[^a-z0-9-]+")


def deploy_manifests(
    model: Resource, refs: Mapping[str, Resource], ctx: RenderContext
) -> list[tuple[str, str]]:
    """(output parameter name, path below the deploy dir) of every manifest the deploy step
    writes: the deployments' artifacts as rendered for a build of the model's version."""
    from modelspec.generate import render

    version = ModelView(model).version or "0.0.0"
    outputs = {"model_build": f"{version}+0", "model_build_digest": _PLACEHOLDER_DIGEST}
    out: list[tuple[str, str]] = []
    taken: set[str] = set()
    for deployment in bundled_deployments(refs):
        deployment_refs = {
            Role.MODEL.value: model,
            **{k: v for k, v in refs.items() if k == Role.CONTRACT.value},
        }
        target = refs.get(f"target.{deployment.spec.get('target')}")
        if target is None:
            continue
        deployment_refs[Role.TARGET.value] = target
        for artifact in render(deployment, deployment_refs, ctx, outputs):
            if not artifact.path.endswith(".yaml"):
                continue
            stem = artifact.path.removeprefix("deployments/").removesuffix(".yaml")
            name = _NAME_INVALID.sub("-", stem.lower()).strip("-")
            while name in taken:
                name += "-x"
            taken.add(name)
            out.append((name, artifact.path))
    return out


def _env(ctx: RenderContext, registry_dir: str) -> list[dict[str, str]]:
    return [
        {"name": "MODELSPEC_PROJECT_DIR", "value": PROJECT_DIR},
        {"name": "MODELSPEC_REGISTRY_DIR", "value": registry_dir},
        {"name": "MODELSPEC_REGISTRY_URI", "value": ctx.registry_uri},
        {"name": "MODELSPEC_WORK_DIR", "value": STEPS_DIR},
    ]


def _mounts(ctx: RenderContext, data: str | None) -> list[dict[str, Any]]:
    mounts: list[dict[str, Any]] = [{"name": "work", "mountPath": WORK_MOUNT}]
    registry = registry_volume(ctx.registry_uri)
    if registry is not None:
        mount: dict[str, Any] = {"name": "registry", "mountPath": REGISTRY_MOUNT}
        if registry[1]:
            mount["subPath"] = registry[1]
        mounts.append(mount)
    if data is not None:
        mounts.append(data_mount(PROJECT_DIR, data))
    return mounts


def _step_template(
    step: str, model: Resource, ctx: RenderContext, data: str | None
) -> dict[str, Any]:
    registry_dir = REGISTRY_MOUNT if registry_volume(ctx.registry_uri) else f"{WORK_MOUNT}/registry"
    return {
        "name": step,
        "container": {
            "name": "main",
            "image": ctx.image,
            "command": ["modelspec", "run-step", step, "--model", model.name],
            "workingDir": PROJECT_DIR,
            "env": _env(ctx, registry_dir),
            "volumeMounts": _mounts(ctx, data),
        },
    }


def _templates(
    model: Resource,
    refs: Mapping[str, Resource],
    ctx: RenderContext,
    manifests: list[tuple[str, str]],
) -> list[dict[str, Any]]:
    data = data_path(refs.get(Role.CONTRACT))
    steps = [_step_template(step, model, ctx, data) for step in PIPELINE_STEPS]
    steps[0]["inputs"] = {
        "artifacts": [
            {"name": _artifact_name(path), "path": f"{PROJECT_DIR}/{path}", "raw": {"data": text}}
            for path, text in bundle_files(model, refs, ctx).items()
        ]
    }
    deploy = _step_template(DEPLOY_STEP, model, ctx, None)
    deploy["outputs"] = {
        "parameters": [
            {"name": name, "valueFrom": {"path": f"{STEPS_DIR}/{DEPLOY_DIR}/{path}"}}
            for name, path in manifests
        ]
        + [{"name": "build", "valueFrom": {"path": f"{STEPS_DIR}/{DEPLOY_DIR}/build"}}]
    }
    templates = [*steps, deploy]
    if manifests:
        templates.append(
            {
                "name": APPLY_TEMPLATE,
                "inputs": {"parameters": [{"name": "manifest"}]},
                "resource": {"action": "apply", "manifest": "{{inputs.parameters.manifest}}"},
            }
        )
    return templates


def _artifact_name(path: str) -> str:
    return _NAME_INVALID.sub("-", path.lower().removesuffix(".yaml")).strip("-")


def _pipeline(manifests: list[tuple[str, str]]) -> dict[str, Any]:
    groups: list[list[dict[str, Any]]] = [
        [{"name": step, "template": step}] for step in (*PIPELINE_STEPS, DEPLOY_STEP)
    ]
    if manifests:
        groups.append(
            [
                {
                    "name": f"apply-{name}",
                    "template": APPLY_TEMPLATE,
                    "arguments": {
                        "parameters": [
                            {
                                "name": "manifest",
                                "value": f"{{{{steps.{DEPLOY_STEP}.outputs.parameters.{name}}}}}",
                            }
                        ]
                    },
                }
                for name, _ in manifests
            ]
        )
    return {"name": "pipeline", "steps": groups}


def _volumes(ctx: RenderContext, data: str | None) -> list[dict[str, Any]]:
    volumes: list[dict[str, Any]] = []
    registry = registry_volume(ctx.registry_uri)
    if registry is not None:
        volumes.append({"name": "registry", "persistentVolumeClaim": {"claimName": registry[0]}})
    if data is not None:
        volumes.append(data_volume())
    return volumes


def workflow(model: Resource, refs: Mapping[str, Resource], ctx: RenderContext) -> dict[str, Any]:
    spec_version = ModelView(model).version
    version = spec_version if spec_version is not None else "0.0.0"
    labels = {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/part-of": label_value(ctx.project),
        "modelspec.dev/model": model.name,
        "modelspec.dev/model-version": label_value(version),
    }
    annotations = {**model_annotations(model), "modelspec.dev/model-version": version}
    contract = refs.get(Role.CONTRACT)
    if contract is not None:
        annotations["modelspec.dev/contract-digest"] = contract.digest
    manifests = deploy_manifests(model, refs, ctx)
    spec: dict[str, Any] = {
        "entrypoint": "pipeline",
        "securityContext": runner_security_context(),
        "templates": [_pipeline(manifests), *_templates(model, refs, ctx, manifests)],
        "volumeClaimTemplates": [
            {
                "metadata": {"name": "work"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": WORK_SIZE}},
                },
            }
        ],
    }
    volumes = _volumes(ctx, data_path(contract))
    if volumes:
        spec["volumes"] = volumes
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {
            "generateName": f"train-{model.name}-",
            "labels": labels,
            "annotations": annotations,
        },
        "spec": spec,
    }


def render_workflow(
    model: Resource, refs: Mapping[str, Resource], ctx: RenderContext
) -> list[Artifact]:
    return [yaml_artifact(f"pipelines/{model.name}/workflow.yaml", workflow(model, refs, ctx))]


def manifest_parameter(document: Mapping[str, Any]) -> str:
    """A manifest as the deploy step hands it to its resource step: one line of JSON, no `{{`."""
    return brace_safe_json(dict(document), indent=None)
