"""Promotion: a Deployment on a target promoted from X only takes a model version X has."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from plan_workspace import CONTRACT, MODEL

from modelspec.compile import Graph, load_graph
from modelspec.diagnostics import Diagnostic, Severity, has_errors
from modelspec.plan.promotion import check_promotion
from modelspec.project import load_project
from modelspec.state import ResourceState, State

Factory = Callable[[dict[str, str]], Path]

TARGETS = """
apiVersion: modelspec/v1
kind: Target
metadata: {name: staging, owner: platform}
spec: {platform: kserve, namespace: ml-staging}
---
apiVersion: modelspec/v1
kind: Target
metadata: {name: prod, owner: platform}
spec: {platform: kserve, namespace: ml-prod, promotion_from: staging}
"""


def deployment(name: str, target: str, model: str = "churn-model") -> str:
    return f"""
apiVersion: modelspec/v1
kind: Deployment
metadata: {{name: {name}, owner: growth}}
spec:
  model: {model}
  target: {target}
"""


BOTH = deployment("churn-staging", "staging") + "---" + deployment("churn-prod", "prod")


def graph_of(make_project: Factory, deployments: str, version: str = "1.0.0") -> Graph:
    model = MODEL.replace("version: 1.0.0", f"version: {version}")
    root = make_project(
        {"contract.yaml": CONTRACT, "model.yaml": model, "targets.yaml": TARGETS,
         "deployments.yaml": deployments}
    )
    project, diags = load_project(root)
    assert project is not None, diags
    graph, diags = load_graph(project)
    assert not has_errors(diags), diags
    return graph


def applied(*rows: tuple[str, str, str]) -> State:
    """A state holding Deployments (name, target, model version) of churn-model."""
    state = State.empty("lineage")
    for name, target, version in rows:
        spec = {"kind": "Deployment", "spec": {"model": "churn-model", "target": target}}
        state = state.with_resource(
            ResourceState(
                address=f"deployment.{name}", kind="Deployment", name=name, digest="sha256:0",
                spec=spec, outputs={"model_version": version}, artifacts={},
            )
        )
    return state


def only(diags: list[Diagnostic]) -> Diagnostic:
    assert len(diags) == 1, diags
    return diags[0]


def test_a_version_already_applied_to_the_source_target_may_be_promoted(make_project: Factory) -> None:
    graph = graph_of(make_project, BOTH, "1.1.0")
    state = applied(("churn-staging", "staging", "1.1.0"), ("churn-prod", "prod", "1.0.0"))
    assert check_promotion(graph, state) == []


def test_a_version_the_source_target_neither_runs_nor_receives_is_refused(make_project: Factory) -> None:
    graph = graph_of(make_project, deployment("churn-prod", "prod"), "1.1.0")
    state = applied(("churn-staging", "staging", "1.0.0"), ("churn-prod", "prod", "1.0.0"))
    d = only(check_promotion(graph, state))
    assert d.code == "MS407" and d.severity is Severity.ERROR
    assert "deployment.churn-prod cannot take churn-model 1.1.0" in d.message
    assert "target staging runs churn-model 1.0.0" in d.message
    assert d.file == "specs/deployments.yaml" and (d.line, d.column) == (5, 10)  # spec.model
    assert d.path == "/spec/model"


def test_a_new_promoted_deployment_without_any_on_the_source_is_refused(make_project: Factory) -> None:
    graph = graph_of(make_project, deployment("churn-prod", "prod"))
    d = only(check_promotion(graph, State.empty()))
    assert d.code == "MS407"
    assert "target staging has no applied deployment of churn-model" in d.message


def test_the_first_apply_may_create_both_targets_together(make_project: Factory) -> None:
    graph = graph_of(make_project, BOTH)
    assert check_promotion(graph, State.empty()) == []


def test_moving_both_targets_in_one_plan_warns_that_the_version_is_unproven(make_project: Factory) -> None:
    graph = graph_of(make_project, BOTH, "1.1.0")
    state = applied(("churn-staging", "staging", "1.0.0"), ("churn-prod", "prod", "1.0.0"))
    d = only(check_promotion(graph, state))
    assert d.code == "MS408" and d.severity is Severity.WARNING
    assert "moves to churn-model 1.1.0 in the same plan that brings it to staging" in d.message


def test_a_deployment_that_does_not_move_is_left_alone(make_project: Factory) -> None:
    graph = graph_of(make_project, deployment("churn-prod", "prod"))
    state = applied(("churn-prod", "prod", "1.0.0"))  # staging was torn down since
    assert check_promotion(graph, state) == []


def test_only_the_same_model_counts_on_the_source_target(make_project: Factory) -> None:
    graph = graph_of(make_project, deployment("churn-prod", "prod"))
    state = applied(("churn-staging", "staging", "1.0.0"))
    other = state.resources["deployment.churn-staging"]
    spec = {"kind": "Deployment", "spec": {"model": "other-model", "target": "staging"}}
    state = state.with_resource(ResourceState(**{**other.__dict__, "spec": spec}))
    assert only(check_promotion(graph, state)).code == "MS407"


def test_targets_without_promotion_from_are_not_checked(make_project: Factory) -> None:
    graph = graph_of(make_project, deployment("churn-staging", "staging"), "9.9.9")
    assert check_promotion(graph, applied(("churn-staging", "staging", "1.0.0"))) == []
