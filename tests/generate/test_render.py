"""Tests for the dispatcher: which kinds render which files, in what order, and where."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import yaml
from render_outputs import DEPLOYED
from ruamel.yaml import YAML

from modelspec.compile.graph import Resource, digest_of
from modelspec.generate import RenderContext, kubernetes, monitors, render, safe_join
from modelspec.generate.argo import workflow
from modelspec.generate.kserve import inference_service
from modelspec.generate.prometheus import prometheus_rule
from modelspec.generate.views import deployment_view

MakeDeployment = Callable[..., tuple[Resource, dict[str, Resource]]]


def _resource(kind: str, name: str) -> Resource:
    normalized = {
        "apiVersion": "modelspec/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {},
    }
    return Resource(
        kind=kind, name=name, normalized=normalized, digest=digest_of(normalized), depends_on=()
    )


@pytest.mark.parametrize("kind", ["Target", "Policy", "Waiver", "Approval"])
def test_kinds_without_artifacts_render_nothing(kind: str, ctx: RenderContext) -> None:
    assert render(_resource(kind, "x"), {}, ctx) == []


def test_online_kserve_deployment_renders_service_and_alerts(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment(platform="kserve")
    assert [a.path for a in render(deployment, refs, ctx, DEPLOYED)] == [
        "deployments/churn-prod/inferenceservice.yaml",
        "deployments/churn-prod/podmonitor.yaml",
        "deployments/churn-prod/prometheusrule.yaml",
    ]


def test_artifacts_are_sorted_and_inside_generated(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment(platform="kubernetes")
    artifacts = render(deployment, refs, ctx, DEPLOYED) + render(
        refs["model"], {"contract": refs["contract"]}, ctx
    )
    paths = [a.path for a in artifacts]
    assert paths[:5] == sorted(paths[:5]) and paths[5:] == sorted(paths[5:])
    for artifact in artifacts:
        assert safe_join(artifact.path) == artifact.path
        assert artifact.digest.startswith("sha256:") and len(artifact.digest) == 71


def test_a_name_that_escapes_generated_is_refused(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment()
    escaping = dataclasses.replace(deployment, name="../../etc")
    with pytest.raises(ValueError, match="artifact path"):
        render(escaping, refs, ctx, DEPLOYED)
    model = dataclasses.replace(refs["model"], name="..")
    with pytest.raises(ValueError, match="artifact path"):
        render(model, {}, ctx)


def test_a_deployment_without_its_model_is_a_bug_not_a_crash_later(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment()
    del refs["model"]
    with pytest.raises(ValueError, match="'model'"):
        render(deployment, refs, ctx, DEPLOYED)


def test_a_batch_deployment_without_schedule_is_refused(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment(platform="kubernetes", mode="batch")
    with pytest.raises(ValueError, match="schedule"):
        render(deployment, refs, ctx, DEPLOYED)


def test_the_context_changes_the_artifacts(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    deployment, refs = make_deployment(platform="kubernetes")
    other = dataclasses.replace(ctx, image="ghcr.io/acme/modelspec:2.0")
    before = {a.path: a.digest for a in render(deployment, refs, ctx, DEPLOYED)}
    after = {a.path: a.digest for a in render(deployment, refs, other, DEPLOYED)}
    assert before.keys() == after.keys()
    changed = {path for path in before if before[path] != after[path]}
    assert changed == {"deployments/churn-prod/deployment.yaml"}


HOSTILE = 'yes\n1e3: null\n---\n- "x": {{ 7*7 }} #c'


def test_every_yaml_artifact_loads_back_to_the_dict_it_was_built_from(
    make_deployment: MakeDeployment, ctx: RenderContext
) -> None:
    metadata = {"description": HOSTILE, "owner": "on", "labels": {"null": HOSTILE}}
    for platform in ("kserve", "kubernetes"):
        deployment, refs = make_deployment(platform=platform, metadata=metadata)
        view = deployment_view(deployment, refs, ctx, DEPLOYED)
        built = {
            "inferenceservice.yaml": inference_service(view),
            "deployment.yaml": kubernetes.deployment(view, ctx),
            "service.yaml": kubernetes.service(view),
            "hpa.yaml": kubernetes.horizontal_pod_autoscaler(view),
            "prometheusrule.yaml": prometheus_rule(view),
            "podmonitor.yaml": monitors.pod_monitor(view),
        }
        for artifact in render(deployment, refs, ctx, DEPLOYED):
            expected = built[artifact.path.rsplit("/", 1)[1]]
            assert yaml.safe_load(artifact.content) == expected
            assert YAML(typ="safe", pure=True).load(artifact.content) == expected
    model = dataclasses.replace(
        refs["model"], normalized={**refs["model"].normalized, "metadata": metadata}
    )
    [_, _, workflow_artifact] = render(model, {}, ctx)
    assert yaml.safe_load(workflow_artifact.content) == workflow(model, {}, ctx)
