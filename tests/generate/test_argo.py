"""Tests for the Argo Workflow renderer, checked against Argo's own JSON Schema."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from modelspec.compile.graph import Resource
from modelspec.generate import RenderContext, render

MakeModel = Callable[..., Resource]
Validate = Callable[[dict[str, Any]], list[str]]

HOSTILE = "a: b\nspec:\n  entrypoint: evil\n{{workflow.name}} {{ 7*7 }} yes 1e3"


def _workflow(
    model: Resource, contract: Resource, ctx: RenderContext
) -> tuple[dict[str, Any], bytes]:
    artifacts = {a.path: a for a in render(model, {"contract": contract}, ctx)}
    artifact = artifacts["pipelines/churn-classifier/workflow.yaml"]
    document: dict[str, Any] = yaml.safe_load(artifact.content)
    return document, artifact.content


def test_workflow_runs_the_four_steps_in_order(
    make_model: MakeModel, contract: Resource, ctx: RenderContext
) -> None:
    model = make_model()
    document, _ = _workflow(model, contract, ctx)
    assert document["apiVersion"] == "argoproj.io/v1alpha1"
    assert document["kind"] == "Workflow"
    metadata = document["metadata"]
    assert metadata["generateName"] == "train-churn-classifier-"
    assert "namespace" not in metadata
    assert metadata["annotations"]["modelspec.dev/spec-digest"] == model.digest
    assert metadata["annotations"]["modelspec.dev/contract-digest"] == contract.digest
    spec = document["spec"]
    assert spec["entrypoint"] == "pipeline"
    templates = {t["name"]: t for t in spec["templates"]}
    steps = [[s["template"] for s in group] for group in templates["pipeline"]["steps"]]
    assert steps == [["validate-data"], ["train"], ["evaluate"], ["register"]]
    for step in ("validate-data", "train", "evaluate", "register"):
        container = templates[step]["container"]
        assert container["image"] == ctx.image
        assert container["command"] == [
            "modelspec",
            "run-step",
            step,
            "--model",
            "churn-classifier",
        ]


def test_only_the_argo_engine_renders_a_workflow(
    make_model: MakeModel, contract: Resource, ctx: RenderContext
) -> None:
    for engine in ("local", "kubeflow"):
        other = dataclasses.replace(ctx, engine=engine)
        paths = [a.path for a in render(make_model(), {"contract": contract}, other)]
        assert paths == [
            "models/churn-classifier/model-card.json",
            "models/churn-classifier/model-card.md",
        ]


def test_rendering_twice_gives_identical_bytes(
    make_model: MakeModel, contract: Resource, ctx: RenderContext
) -> None:
    assert _workflow(make_model(), contract, ctx)[1] == _workflow(make_model(), contract, ctx)[1]


def test_hostile_metadata_round_trips_literally(
    make_model: MakeModel, contract: Resource, ctx: RenderContext
) -> None:
    model = make_model(description=HOSTILE, owner=HOSTILE)
    document, _ = _workflow(model, contract, ctx)
    assert document["metadata"]["annotations"]["modelspec.dev/description"] == HOSTILE
    assert document["metadata"]["annotations"]["modelspec.dev/owner"] == HOSTILE
    assert document["spec"]["entrypoint"] == "pipeline"
    assert set(document) == {"apiVersion", "kind", "metadata", "spec"}


def test_workflow_matches_argo_schema(
    make_model: MakeModel, contract: Resource, ctx: RenderContext, validate_argo_workflow: Validate
) -> None:
    model = make_model(description=HOSTILE, labels={"domain": "growth"})
    document, _ = _workflow(model, contract, ctx)
    assert validate_argo_workflow(document) == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["spec"].__setitem__("entrypont", "pipeline"),
        lambda d: d["spec"]["templates"][1].__setitem__("contaner", {"image": "x"}),
        lambda d: d["spec"]["templates"][1]["container"].__setitem__("comand", ["x"]),
        lambda d: d["spec"]["templates"][0]["steps"][0][0].__setitem__("templat", "train"),
        lambda d: d["metadata"].__setitem__("generate_name", "x-"),
    ],
)
def test_argo_schema_rejects_misspelt_fields(
    make_model: MakeModel,
    contract: Resource,
    ctx: RenderContext,
    validate_argo_workflow: Validate,
    mutate: Callable[[dict[str, Any]], None],
) -> None:
    document, _ = _workflow(make_model(), contract, ctx)
    broken = copy.deepcopy(document)
    mutate(broken)
    assert validate_argo_workflow(broken) != []
