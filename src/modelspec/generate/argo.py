"""Argo Workflows Workflow (argoproj.io/v1alpha1) that trains a Model with the argo engine.

The Workflow has no namespace: it runs where it is submitted
(`argo submit -n NS generated/pipelines/<model>/workflow.yaml`). Each
submission gets a fresh name from `generateName: train-<model>-`. The
`pipeline` entrypoint runs four steps strictly in order, each a container
running `modelspec run-step STEP --model NAME` in the project's image with
`MODELSPEC_REGISTRY_URI` set to the registry the model is registered in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelspec.compile.graph import Resource
from modelspec.compile.roles import Role
from modelspec.compile.views import ModelView
from modelspec.generate.common import (
    MANAGED_BY,
    Artifact,
    RenderContext,
    label_value,
    yaml_artifact,
)
from modelspec.generate.views import model_annotations

__all__ = ["PIPELINE_STEPS", "render_workflow", "workflow"]

PIPELINE_STEPS = ("validate-data", "train", "evaluate", "register")


def _step_template(step: str, model: Resource, ctx: RenderContext) -> dict[str, Any]:
    return {
        "name": step,
        "container": {
            "name": "main",
            "image": ctx.image,
            "command": ["modelspec", "run-step", step, "--model", model.name],
            "env": [{"name": "MODELSPEC_REGISTRY_URI", "value": ctx.registry_uri}],
        },
    }


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
    pipeline = {
        "name": "pipeline",
        "steps": [[{"name": step, "template": step}] for step in PIPELINE_STEPS],
    }
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {
            "generateName": f"train-{model.name}-",
            "labels": labels,
            "annotations": annotations,
        },
        "spec": {
            "entrypoint": "pipeline",
            "templates": [pipeline, *(_step_template(s, model, ctx) for s in PIPELINE_STEPS)],
        },
    }


def render_workflow(
    model: Resource, refs: Mapping[str, Resource], ctx: RenderContext
) -> list[Artifact]:
    return [yaml_artifact(f"pipelines/{model.name}/workflow.yaml", workflow(model, refs, ctx))]
