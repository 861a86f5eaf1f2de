"""The JSON model card validates against the schema Model Card Toolkit 2.0.0 ships (v0.0.2) and is deterministic."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from modelspec.compile import load_graph
from modelspec.generate.model_card_json import metric_text, render_model_card_json
from modelspec.project import load_project

# model_card_toolkit/schema/v0.0.2/model_card.schema.json from the model-card-toolkit 2.0.0
# wheel on PyPI, unchanged (tests/vendor/README.md). Its metric `value` is a string.
SCHEMA = Path(__file__).parents[1] / "vendor" / "model_card.schema.json"
SCHEMA_SHA256 = "369dd9dbeff0980dd34fa8d14a6a17d7c63c4bf3874e414fdf886f47d72f46dd"
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


def _released() -> Any:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = _closed(_released())
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_vendored_schema_is_the_released_one() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    metric = _released()["definitions"]["performance_metric"]["properties"]
    assert metric["value"] == {"description": "The value of the performance metric.", "type": "string"}
    bounds = metric["confidence_interval"]["properties"]
    assert bounds["lower_bound"]["type"] == bounds["upper_bound"]["type"] == "string"


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
        jsonschema.validate(document, _released())  # what the toolkit's validate_json_schema does


def test_the_old_number_form_fails_the_released_schema(
    validator: jsonschema.Draft7Validator, models: dict[str, Any]
) -> None:
    model, contract = models["biopsy-malignancy-classifier"]
    card = json.loads(render_model_card_json(model, contract, OUTPUTS).content)
    metrics = card["quantitative_analysis"]["performance_metrics"]
    assert metrics and all(isinstance(m["value"], str) for m in metrics)
    old = copy.deepcopy(card)
    old["quantitative_analysis"]["performance_metrics"][0]["value"] = 0.06
    errors = list(validator.iter_errors(old))
    assert [(list(e.absolute_path), e.validator) for e in errors] == [
        (["quantitative_analysis", "performance_metrics", 0, "value"], "type")
    ]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(old, _released())


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
        {"type": "brier_score", "slice": "eval", "value": "0.06"},
        {"type": "roc_auc", "slice": "eval", "value": "0.97"},
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


def test_a_non_finite_metric_is_written_as_text(
    validator: jsonschema.Draft7Validator, models: dict[str, Any]
) -> None:
    model, contract = models["biopsy-malignancy-classifier"]
    outputs = {
        **OUTPUTS,
        "metrics": {"roc_auc": float("nan"), "brier_score": float("inf"), "f1": 0.9, "flag": True},
    }
    text = render_model_card_json(model, contract, outputs).content.decode("utf-8")

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    card = json.loads(text, parse_constant=refuse)
    assert not list(validator.iter_errors(card))
    assert card["quantitative_analysis"]["performance_metrics"] == [
        {"slice": "eval", "type": "brier_score", "value": "Infinity"},
        {"slice": "eval", "type": "f1", "value": "0.9"},
        {"slice": "eval", "type": "roc_auc", "value": "NaN"},
    ]  # a boolean is no metric


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.9742063492, "0.9742063492"),
        (41.8934373, "41.8934373"),
        (0.1 + 0.2, "0.30000000000000004"),  # every digit the float needs, no more
        (1e-05, "0.00001"),
        (1e-06, "0.000001"),
        (12.0, "12"),
        (12, "12"),
        (-0.0, "0"),
        (-3.25, "-3.25"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (9.5e-08, "9.5e-08"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_metric_text_is_the_shortest_decimal_that_reads_back(value: float, text: str) -> None:
    assert metric_text(value) == text
    assert float(text) == value


def test_metric_text_takes_numpy_scalars_without_their_repr() -> None:
    np = pytest.importorskip("numpy")
    assert metric_text(np.float64(0.25)) == "0.25"
    assert metric_text(np.float32(0.5)) == "0.5"
