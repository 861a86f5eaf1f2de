"""Tests for the Argo Workflow renderer, checked against Argo's own JSON Schema."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hera.workflows.models import Workflow

from modelspec.compile.graph import Resource
from modelspec.generate import RenderContext, render
from modelspec.generate.argo import workflow

MakeModel = Callable[..., Resource]
MakeDeployment = Callable[..., tuple[Resource, dict[str, Resource]]]
Validate = Callable[[dict[str, Any]], list[str]]

HOSTILE = "a: b\nspec:\n  entrypoint: evil\n{{workflow.name}} {{ 7*7 }} yes 1e3"


def _workflow(
    model: Resource, contract: Resource, ctx: RenderContext
) -> tuple[dict[str, Any], bytes]:
    artifacts = {a.path: a for a in render(model, {"contract": contract}, ctx)}
    artifact = artifacts["pipelines/churn-classifier/workflow.yaml"]
    document: dict[str, Any] = yaml.safe_load(artifact.content)
    return document, artifact.content


def test_workflow_runs_the_steps_in_order_as_pods(
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
    assert spec["securityContext"]["runAsNonRoot"] is True
    templates = {t["name"]: t for t in spec["templates"]}
    steps = [[s["template"] for s in group] for group in templates["pipeline"]["steps"]]
    assert steps == [["validate-data"], ["train"], ["evaluate"], ["register"], ["deploy"]]
    for step in ("validate-data", "train", "evaluate", "register", "deploy"):
        container = templates[step]["container"]
        assert container["image"] == ctx.image
        assert container["command"] == ["modelspec", "run-step", step, "--model", "churn-classifier"]
        assert container["workingDir"] == "/work/project"
        assert {e["name"]: e["value"] for e in container["env"]} == {
            "MODELSPEC_PROJECT_DIR": "/work/project",
            "MODELSPEC_REGISTRY_DIR": "/var/lib/modelspec/registry",
            "MODELSPEC_REGISTRY_URI": "pvc://modelspec-registry",
            "MODELSPEC_WORK_DIR": "/work/steps",
        }
        mounts = {m["name"]: m for m in container["volumeMounts"]}
        assert mounts["work"]["mountPath"] == "/work"
        assert mounts["registry"]["mountPath"] == "/var/lib/modelspec/registry"
        if step == "deploy":
            assert "data" not in mounts
        else:
            assert mounts["data"] == {
                "name": "data",
                "mountPath": "/work/project/data/churn.csv",
                "subPath": "data/churn.csv",
                "readOnly": True,
            }


def test_steps_share_only_declared_volumes(
    make_model: MakeModel, contract: Resource, ctx: RenderContext
) -> None:
    spec = _workflow(make_model(), contract, ctx)[0]["spec"]
    [claim_template] = spec["volumeClaimTemplates"]
    assert claim_template["metadata"]["name"] == "work"
    assert spec["volumes"] == [
        {"name": "registry", "persistentVolumeClaim": {"claimName": "modelspec-registry"}},
        {"name": "data", "persistentVolumeClaim": {"claimName": "modelspec-data", "readOnly": True}},
    ]
    sub = dataclasses.replace(ctx, registry_uri="pvc://shared-claim/teams/acme/")
    spec = _workflow(make_model(), contract, sub)[0]["spec"]
    assert spec["volumes"][0]["persistentVolumeClaim"] == {"claimName": "shared-claim"}
    train = next(t for t in spec["templates"] if t["name"] == "train")["container"]
    [registry] = [m for m in train["volumeMounts"] if m["name"] == "registry"]
    assert registry["subPath"] == "teams/acme"


def test_a_registry_off_a_claim_stays_on_the_work_volume(
    make_model: MakeModel, contract: Resource, ctx: RenderContext
) -> None:
    s3 = dataclasses.replace(ctx, registry_uri="s3://models")
    spec = _workflow(make_model(), contract, s3)[0]["spec"]
    assert [v["name"] for v in spec["volumes"]] == ["data"]
    train = next(t for t in spec["templates"] if t["name"] == "train")["container"]
    env = {e["name"]: e["value"] for e in train["env"]}
    assert env["MODELSPEC_REGISTRY_DIR"] == "/work/registry"
    assert env["MODELSPEC_REGISTRY_URI"] == "s3://models"


def test_the_first_step_carries_the_bundle_that_compiles_to_the_same_digests(
    tmp_path: Path,
) -> None:
    from modelspec.compile import load_graph
    from modelspec.examples.scaffold import init_project
    from modelspec.generate.cache import render_context, render_refs
    from modelspec.project import load_project

    source = tmp_path / "repo"
    init_project(source)
    config = source / "modelspec.yaml"
    config.write_text(config.read_text().replace("engine: local", "engine: argo"))
    spec = source / "specs" / "targets.yaml"
    hostile = json.dumps(HOSTILE)  # a JSON string is a YAML double-quoted scalar
    spec.write_text(spec.read_text().replace("description: Production", f"description: {hostile} #"))
    project, _ = load_project(source)
    assert project is not None
    graph, _ = load_graph(project)
    model = graph.get("model.biopsy-malignancy-classifier")
    assert model is not None
    ctx = render_context(project)
    refs = render_refs(model, graph, ctx)
    spec_doc = workflow(model, refs, ctx)["spec"]
    first = next(t for t in spec_doc["templates"] if t["name"] == "validate-data")
    others = [t for t in spec_doc["templates"] if t["name"] != "validate-data"]
    assert all("artifacts" not in t.get("inputs", {}) for t in others)
    pod = tmp_path / "pod"
    for artifact in first["inputs"]["artifacts"]:
        assert artifact["path"].startswith("/work/project/")
        assert "{{" not in artifact["raw"]["data"]  # Argo would read it as a template tag
        path = pod / artifact["path"].removeprefix("/work/project/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact["raw"]["data"])
    bundled, diags = load_project(pod)
    assert bundled is not None, diags
    assert (bundled.name, bundled.config.pipelines.image) == (ctx.project, ctx.image)
    assert bundled.config.registry.uri == ctx.registry_uri
    bundle_graph, diags = load_graph(bundled)
    assert [d for d in diags if d.is_error] == []
    expected = [model.address, "datacontract.breast-cancer-biopsies", *sorted(refs)[1:]]
    assert sorted(r.address for r in bundle_graph) == sorted(expected)
    for resource in bundle_graph:
        original = graph.get(resource.address)
        assert original is not None
        assert resource.digest == original.digest, resource.address
    prod = bundle_graph.get("target.prod")
    assert prod is not None and prod.metadata["description"] == HOSTILE


def test_the_deploy_step_hands_each_manifest_to_a_resource_step(
    make_deployment: MakeDeployment, ctx: RenderContext, validate_argo_workflow: Validate
) -> None:
    deployment, refs = make_deployment()
    model, contract, target = refs["model"], refs["contract"], refs["target"]
    bundle = {"contract": contract, deployment.address: deployment, target.address: target}
    document = workflow(model, bundle, ctx)
    assert validate_argo_workflow(document) == []
    Workflow.model_validate(document)  # hera's models of Argo's spec load it too
    templates = {t["name"]: t for t in document["spec"]["templates"]}
    outputs = {
        p["name"]: p["valueFrom"]["path"] for p in templates["deploy"]["outputs"]["parameters"]
    }
    rendered = render(deployment, refs, ctx, {"model_build": "2.1.0+1"})
    assert sorted(outputs.values()) == sorted(
        [f"/work/steps/deploy/{a.path}" for a in rendered if a.path.endswith(".yaml")]
        + ["/work/steps/deploy/build"]
    )
    assert outputs["churn-prod-inferenceservice"] == (
        "/work/steps/deploy/deployments/churn-prod/inferenceservice.yaml"
    )
    assert "churn-prod-prometheusrule" in outputs
    assert templates["apply-manifest"]["resource"] == {
        "action": "apply",
        "manifest": "{{inputs.parameters.manifest}}",
    }
    last = templates["pipeline"]["steps"][-1]
    assert [(s["name"], s["arguments"]["parameters"][0]["value"]) for s in last] == [
        (f"apply-{name}", f"{{{{steps.deploy.outputs.parameters.{name}}}}}")
        for name in outputs
        if name != "build"
    ]
    assert {s["template"] for s in last} == {"apply-manifest"}
    artifacts = templates["validate-data"]["inputs"]["artifacts"]
    assert [a["path"] for a in artifacts] == [
        "/work/project/modelspec.yaml",
        "/work/project/specs/datacontract/churn.yaml",
        "/work/project/specs/deployment/churn-prod.yaml",
        "/work/project/specs/model/churn-classifier.yaml",
        "/work/project/specs/target/prod.yaml",
    ]


def test_the_render_cache_gives_a_model_its_deployments_on_the_argo_engine(
    tmp_path: Path,
) -> None:
    from modelspec.compile import load_graph
    from modelspec.examples.scaffold import init_project
    from modelspec.generate.cache import render_context, render_refs
    from modelspec.project import load_project

    init_project(tmp_path)
    config = tmp_path / "modelspec.yaml"
    config.write_text(config.read_text().replace("engine: local", "engine: argo"))
    project, _ = load_project(tmp_path)
    assert project is not None
    graph, _ = load_graph(project)
    model = graph.get("model.biopsy-malignancy-classifier")
    assert model is not None
    refs = render_refs(model, graph, render_context(project))
    assert sorted(refs) == [
        "contract",
        "deployment.biopsy-classifier-prod",
        "deployment.biopsy-classifier-staging",
        "target.prod",
        "target.staging",  # prod's promotion_from
    ]
    local = dataclasses.replace(render_context(project), engine="local")
    assert sorted(render_refs(model, graph, local)) == ["contract"]


def test_only_the_argo_engine_renders_a_workflow(
    make_model: MakeModel, contract: Resource, ctx: RenderContext
) -> None:
    cards = ["models/churn-classifier/model-card.json", "models/churn-classifier/model-card.md"]
    local = dataclasses.replace(ctx, engine="local")
    assert [a.path for a in render(make_model(), {"contract": contract}, local)] == cards
    kubeflow = dataclasses.replace(ctx, engine="kubeflow")  # a KFP pipeline, not a Workflow
    paths = [a.path for a in render(make_model(), {"contract": contract}, kubeflow)]
    assert paths == [*cards, "pipelines/churn-classifier/pipeline.yaml"]


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
    Workflow.model_validate(document)


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
