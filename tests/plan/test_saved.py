"""Saved plan files: round trip, and a clear error for anything else."""

from __future__ import annotations

import json

from modelspec.plan.model import ArtifactWrite, AttributeDiff, Change, Drift, Plan
from modelspec.plan.saved import dumps_plan, loads_plan

PLAN = Plan(
    lineage="3f0c",
    serial=4,
    changes=(
        Change(
            "model.m",
            "Model",
            "m",
            ("delete", "create"),
            "spec.task changed",
            (AttributeDiff("/spec/task", "a", {"b": [1, None]}),),
            breaking=True,
            writes=(ArtifactWrite("models/m/model-card.md", "sha256:ab"),),
            deletes=("pipelines/m/workflow.yaml",),
        ),
        Change("target.t", "Target", "t", ("no-op",)),
    ),
    drift=(Drift("model.m", "models/m/model-card.md", "sha256:aa", "missing"),),
    resources={"model.m": "sha256:1", "target.t": "sha256:2"},
)


def test_round_trip() -> None:
    text = dumps_plan(PLAN)
    loaded, diags = loads_plan(text, "p.json")
    assert diags == []
    assert loaded == PLAN
    data = json.loads(text)
    assert data["resources"] == {"model.m": "sha256:1", "target.t": "sha256:2"}
    assert data["changes"][0]["artifacts"] == {
        "write": [{"path": "models/m/model-card.md", "digest": "sha256:ab"}],
        "delete": ["pipelines/m/workflow.yaml"],
    }


def test_corrupt_files_are_one_clear_error() -> None:
    data = json.loads(dumps_plan(PLAN))
    del data["resources"]
    cases = {
        "{not json": "not valid JSON",
        "[]": "top level is not a JSON object",
        json.dumps({**data, "format_version": "9"}): "format_version is '9'",
        json.dumps(data): "resources is missing",
        json.dumps({**json.loads(dumps_plan(PLAN)), "serial": "4"}): "serial is not an integer",
    }
    for text, why in cases.items():
        plan, diags = loads_plan(text, "p.json")
        assert plan is None
        assert [d.code for d in diags] == ["MS503"]
        assert why in diags[0].message and "p.json" in diags[0].message
