"""plan(): creates, no-ops, replaces, updates, deletes, drift and retrains, from real specs."""

from __future__ import annotations

import json

from plan_workspace import Workspace

from modelspec.diagnostics import Severity
from modelspec.plan import plan, render


def _actions(plan: object) -> dict[str, str]:
    return {c.address: c.action for c in plan.changes}  # type: ignore[attr-defined]


def test_first_plan_creates_everything_in_dependency_order(workspace: Workspace) -> None:
    plan, diags = workspace.plan()
    assert diags == []
    assert [c.address for c in plan.changes] == [
        "datacontract.churn",
        "model.churn-model",
        "target.prod",
        "deployment.churn-prod",
    ]
    assert set(_actions(plan).values()) == {"create"}
    assert plan.summary.create == 4 and plan.has_changes
    model = plan.change("model.churn-model")
    assert model is not None
    assert [w.path for w in model.writes] == [
        "models/churn-model/model-card.json",
        "models/churn-model/model-card.md",
    ]
    assert plan.resources["model.churn-model"].startswith("sha256:")


def test_second_plan_after_apply_is_a_no_op(applied: Workspace) -> None:
    plan, diags = applied.plan()
    assert diags == []
    assert not plan.has_changes
    assert plan.summary.no_op == 4
    assert plan.serial == 1 and plan.lineage == applied.state.lineage
    assert render("text", plan).endswith("No changes. Specs match the applied state.\n")


def test_training_change_with_new_version_replaces_model(applied: Workspace) -> None:
    applied.edit("model.yaml", "max_depth: 8", "max_depth: 12")
    applied.edit("model.yaml", "version: 1.0.0", "version: 1.1.0")
    plan, diags = applied.plan()
    assert diags == []
    model = plan.change("model.churn-model")
    assert model is not None
    assert model.actions == ("delete", "create")
    assert "spec.training.estimator.params.max_depth changed: 8 -> 12" in model.reason
    assert {d.path for d in model.diffs} == {
        "/spec/training/estimator/params/max_depth",
        "/spec/version",
    }
    deployment = plan.change("deployment.churn-prod")
    assert deployment is not None and deployment.action == "update"
    assert deployment.reason == "model.churn-model version changed: 1.0.0 -> 1.1.0"
    assert _actions(plan)["datacontract.churn"] == "no-op"


def test_training_change_without_new_version_is_an_error(applied: Workspace) -> None:
    applied.edit("model.yaml", "max_depth: 8", "max_depth: 12")
    plan, diags = applied.plan()
    assert [d.code for d in diags] == ["MS501"]
    error = diags[0]
    assert error.severity is Severity.ERROR
    assert error.file == "specs/model.yaml" and error.path == "/spec/version"
    assert error.line == 5  # the `version: 1.0.0` line of model.yaml
    assert "max_depth changed: 8 -> 12" in error.message
    assert plan.change("model.churn-model").action == "replace"  # type: ignore[union-attr]


def test_card_only_change_updates_in_place(applied: Workspace) -> None:
    applied.edit("model.yaml", "license: MIT", "license: Apache-2.0")
    plan, diags = applied.plan()
    assert diags == []
    model = plan.change("model.churn-model")
    assert model is not None and model.action == "update"
    assert model.reason.startswith("spec.card.license changed: MIT -> Apache-2.0")
    assert [w.path for w in model.writes] == [
        "models/churn-model/model-card.json",
        "models/churn-model/model-card.md",
    ]
    assert _actions(plan)["deployment.churn-prod"] == "no-op"


def test_used_contract_column_change_replaces_model(applied: Workspace) -> None:
    applied.edit("contract.yaml", "min: 0}", "min: 1}")
    plan, diags = applied.plan()
    model = plan.change("model.churn-model")
    assert model is not None and model.action == "replace"
    assert "column tenure_months of datacontract.churn changed (min: 0 -> 1)" in model.reason
    # the model keeps its version, the contract narrowed without a major bump: both errors
    assert sorted((d.code, d.severity.value) for d in diags) == [
        ("MS501", "error"),
        ("MS502", "error"),
    ]
    contract = plan.change("datacontract.churn")
    assert contract is not None and contract.action == "update" and contract.breaking


def test_unused_contract_column_change_leaves_model_alone(applied: Workspace) -> None:
    applied.edit(
        "contract.yaml", "{name: notes, type: string}", "{name: notes, type: string, max_length: 9}"
    )
    applied.edit("contract.yaml", "version: 1.0.0", "version: 2.0.0")
    plan, diags = applied.plan()
    assert diags == []
    assert _actions(plan) == {
        "datacontract.churn": "update",
        "model.churn-model": "update",  # its card names the contract version: not a retrain
        "target.prod": "no-op",
        "deployment.churn-prod": "no-op",
    }
    model = plan.change("model.churn-model")
    assert model is not None and model.diffs == ()
    assert model.reason == (
        "generated files change: generated/models/churn-model/model-card.json, "
        "generated/models/churn-model/model-card.md"
    )


def test_removed_resources_are_deleted_dependents_first(applied: Workspace) -> None:
    applied.remove("deployment.yaml")
    applied.remove("model.yaml")
    applied.remove("contract.yaml")
    plan, _ = applied.plan()
    assert [(c.address, c.action) for c in plan.actionable] == [
        ("deployment.churn-prod", "delete"),
        ("model.churn-model", "delete"),
        ("datacontract.churn", "delete"),
    ]
    assert plan.changes[0].deletes == (
        "deployments/churn-prod/inferenceservice.yaml",
        "deployments/churn-prod/podmonitor.yaml",
    )
    assert plan.changes[0].reason == "deployment.churn-prod is no longer in the specs"
    assert plan.summary.delete == 3


def test_hand_edited_and_removed_files_show_as_drift(applied: Workspace) -> None:
    card = applied.generated("models/churn-model/model-card.md")
    card.write_text(card.read_text() + "edited\n")
    applied.generated("deployments/churn-prod/inferenceservice.yaml").unlink()
    plan, diags = applied.plan()
    assert diags == []
    assert [(d.path, d.actual == "missing") for d in plan.drift] == [
        ("deployments/churn-prod/inferenceservice.yaml", True),
        ("models/churn-model/model-card.md", False),
    ]
    model = plan.change("model.churn-model")
    deployment = plan.change("deployment.churn-prod")
    assert model is not None and deployment is not None
    assert model.reason == "restore hand-edited generated/models/churn-model/model-card.md"
    assert deployment.reason == (
        "restore removed generated/deployments/churn-prod/inferenceservice.yaml"
    )
    assert model.action == deployment.action == "update"


def test_retrain_replaces_model_with_its_reason(applied: Workspace) -> None:
    reason = "deployment.churn-prod breached drift: psi 0.31 > 0.2"
    plan, diags = applied.plan(retrain={"model.churn-model": reason})
    assert diags == []
    model = plan.change("model.churn-model")
    assert model is not None and model.action == "replace" and model.reason == reason
    deployment = plan.change("deployment.churn-prod")
    assert deployment is not None
    assert deployment.reason == "model.churn-model gets a new build"


def test_plan_json_is_deterministic(applied: Workspace) -> None:
    applied.edit("model.yaml", "license: MIT", "license: BSD-3-Clause")
    first = render("json", applied.plan()[0])
    second = render("json", applied.plan()[0])
    assert first == second
    data = json.loads(first)
    assert list(data) == sorted(data)
    assert data["format_version"] == "1"
    assert data["drift"] == [] and data["policy"] == {"results": [], "blocking": False}
    assert data["summary"] == {"create": 0, "update": 1, "replace": 0, "delete": 0, "no_op": 3}
    change = next(c for c in data["changes"] if c["address"] == "model.churn-model")
    assert set(change) == {"address", "kind", "name", "actions", "reason", "diffs", "breaking"}
    assert change["actions"] == ["update"]
    assert change["diffs"] == [
        {"path": "/spec/card/license", "before": "MIT", "after": "BSD-3-Clause"}
    ]


def test_a_file_taken_over_by_another_resource_is_not_removed() -> None:
    from dataclasses import dataclass

    from modelspec.compile.graph import Graph, Resource, digest_of
    from modelspec.state import ResourceState, State

    @dataclass(frozen=True)
    class Art:
        path: str
        digest: str

    def doc(kind: str, name: str) -> dict[str, object]:
        return {"apiVersion": "modelspec/v1", "kind": kind, "metadata": {"name": name}, "spec": {}}

    old_target = doc("Target", "old")
    state = State.empty().with_resource(
        ResourceState(
            "target.old",
            "Target",
            "old",
            digest_of(old_target),
            old_target,
            {},
            {"shared.yaml": "sha256:1"},
        )
    )
    new_target = doc("Target", "new")
    graph = Graph({"target.new": Resource("Target", "new", new_target, digest_of(new_target), ())})
    made, _ = plan(
        graph,
        state,
        desired_artifacts={"target.new": [Art("shared.yaml", "sha256:2")]},
        disk_digests={"shared.yaml": "sha256:1"},
    )
    assert [(c.address, c.action) for c in made.changes] == [
        ("target.old", "delete"),
        ("target.new", "create"),
    ]
    assert made.changes[0].deletes == ()
    assert made.changes[1].writes[0].path == "shared.yaml"
