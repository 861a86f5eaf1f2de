"""The JSON model card validates against the Model Card Toolkit's schema v0.0.2 and is deterministic."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from modelspec.compile import load_graph
from modelspec.generate.model_card_json import render_model_card_json
from modelspec.project import load_project

SCHEMA = Path(__file__).parents[1] / "vendor" / "model_card.schema.json"
OUTPUTS = {
    "build": "1.0.0+3",
    "version": "1.0.0",
    "data_digest": "sha256:" + "ab" * 32,
    "metrics": {"roc_auc": 0.97, "brier_score": 0.06},
}


def _closed(schema: Any) -> Any:
    """The schema with every object closed to unknown fields, so a misspelt field fails."""
    if isinstance(schema, dict):
        out = {k: _closed(v) for k, v in schema.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = _closed(json.loads(SCHEMA.read_text(encoding="utf-8")))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from modelspec.examples.scaffold import project_files, write_files

    root = tmp_path_factory.mktemp("example")
    write_files(root, project_files())
    project, _ = load_project(root)
    assert project is not None
    graph, _ = load_graph(project)
    return {m.name: (m, graph.refs(m).get("contract")) for m in graph.of_kind("Model")}


@pytest.mark.parametrize("outputs", [OUTPUTS, None])
def test_the_card_validates_against_the_schema(
    validator: jsonschema.Draft7Validator, models: dict[str, Any], outputs: Any
) -> None:
    for model, contract in models.values():
        document = json.loads(render_model_card_json(model, contract, outputs).content)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
        assert errors == []


def test_a_misspelt_field_would_fail(
    validator: jsonschema.Draft7Validator, models: dict[str, Any]
) -> None:
    model, contract = models["biopsy-malignancy-classifier"]
    document = json.loads(render_model_card_json(model, contract, OUTPUTS).content)
    broken = copy.deepcopy(document)
    broken["considerations"]["ethical_considerations"][0]["mitigation"] = "typo"
    assert list(validator.iter_errors(broken))


def test_the_card_carries_the_spec_and_the_build(models: dict[str, Any]) -> None:
    model, contract = models["biopsy-malignancy-classifier"]
    artifact = render_model_card_json(model, contract, OUTPUTS)
    assert artifact.path == "models/biopsy-malignancy-classifier/model-card.json"
    card = json.loads(artifact.content)
    assert card["schema_version"] == "0.0.2"
    details = card["model_details"]
    assert details["version"] == {"name": "1.0.0+3"}
    assert details["owners"] == [{"name": "oncology-ml"}]
    assert details["licenses"] == [{"identifier": "Proprietary"}]
    assert card["quantitative_analysis"]["performance_metrics"] == [
        {"type": "brier_score", "slice": "eval", "value": 0.06},
        {"type": "roc_auc", "slice": "eval", "value": 0.97},
    ]
    assert [d["name"] for d in card["model_parameters"]["data"]] == ["train", "eval"]
    assert (
        "80% of the rows of data/breast_cancer.csv"
        in card["model_parameters"]["data"][0]["description"]
    )
    assert (
        "mean_radius (confidential)"
        in card["model_parameters"]["data"][0]["sensitive"]["sensitive_data"]
    )
    assert card["model_parameters"]["model_architecture"].startswith(
        "sklearn.linear_model.LogisticRegression(C=1.0, max_iter=1000)"
    )
    ethical = card["considerations"]["ethical_considerations"]
    assert ethical[0]["name"] == "missed malignancy" and "mitigation_strategy" in ethical[0]
    assert card["considerations"]["limitations"][-1]["description"].startswith("Out of scope: ")


def test_the_card_is_deterministic(models: dict[str, Any]) -> None:
    model, contract = models["diabetes-progression-regressor"]
    first = render_model_card_json(model, contract, OUTPUTS).content
    assert (
        first
        == render_model_card_json(model, contract, dict(reversed(list(OUTPUTS.items())))).content
    )
    without = json.loads(render_model_card_json(model, contract, None).content)
    assert without["model_details"]["version"] == {"name": "2.0.1"}
    assert without["quantitative_analysis"]["performance_metrics"] == []


def test_a_non_finite_metric_leaves_its_value_out(
    validator: jsonschema.Draft7Validator, models: dict[str, Any]
) -> None:
    model, contract = models["biopsy-malignancy-classifier"]
    outputs = {**OUTPUTS, "metrics": {"roc_auc": float("nan"), "brier_score": float("inf"), "f1": 0.9}}
    text = render_model_card_json(model, contract, outputs).content.decode("utf-8")

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    card = json.loads(text, parse_constant=refuse)
    assert not list(validator.iter_errors(card))
    assert card["quantitative_analysis"]["performance_metrics"] == [
        {"slice": "eval", "type": "brier_score"},  # the schema wants a number: no value, not null
        {"slice": "eval", "type": "f1", "value": 0.9},
        {"slice": "eval", "type": "roc_auc"},
    ]
