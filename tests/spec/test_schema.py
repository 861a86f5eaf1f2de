"""The exported JSON Schemas are valid 2020-12 documents and agree with the models."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError
from spec_examples import MISSING, VALID, changed, valid

from modelspec.project import ProjectConfig
from modelspec.spec import KINDS
from modelspec.spec.schema import DRAFT, dump_schema, json_schemas, schema_file

SCHEMAS = json_schemas()


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(
        SCHEMAS[schema_file(kind)], format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def test_one_schema_per_kind_plus_the_project_file() -> None:
    expected = {f"{k.lower()}.schema.json" for k in KINDS} | {"modelspec.schema.json"}
    assert set(SCHEMAS) == expected
    assert "datacontract.schema.json" in SCHEMAS
    for file, schema in SCHEMAS.items():
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == DRAFT
        assert schema["$id"] == f"https://modelspec.dev/schemas/v1/{file}"
        assert schema["title"] and schema["description"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kind_and_api_version_are_constants(kind: str) -> None:
    props = SCHEMAS[schema_file(kind)]["properties"]
    assert props["kind"]["const"] == kind
    assert props["apiVersion"]["const"] == "modelspec/v1"
    assert SCHEMAS[schema_file(kind)]["additionalProperties"] is False


def test_output_is_deterministic() -> None:
    first = {name: dump_schema(s) for name, s in json_schemas().items()}
    second = {name: dump_schema(s) for name, s in json_schemas().items()}
    assert first == second
    text = first["model.schema.json"]
    assert text.endswith("}\n")
    assert json.loads(text) == SCHEMAS["model.schema.json"]
    assert list(json.loads(text)) == sorted(json.loads(text))


@pytest.mark.parametrize("kind", sorted(VALID))
def test_valid_examples_and_their_normalized_form_pass_the_schema(kind: str) -> None:
    doc = valid(kind)
    assert list(validator(kind).iter_errors(doc)) == []
    normalized = (
        KINDS[kind].model_validate(doc).model_dump(mode="json", by_alias=True, exclude_none=True)
    )
    assert list(validator(kind).iter_errors(normalized)) == []


# Mistakes the schema can express: both the model and the schema must reject them.
INVALID = [
    ("Model", "spec.trainig", {}),
    ("Model", "metadata.owner", MISSING),
    ("Model", "metadata.owner", ""),
    ("Model", "metadata.name", "Churn"),
    ("Model", "metadata.name", "a" * 64),
    ("Model", "spec.version", "1.0"),
    ("Model", "spec.task", "clustering"),
    ("Model", "kind", "Target"),
    ("Model", "apiVersion", "modelspec/v2"),
    ("Model", "spec.data.features", []),
    ("Model", "spec.training.split.test_size", 1),
    ("Model", "spec.training.estimator.class", "RandomForest"),
    ("Model", "spec.training.estimator.params", {"n": {"nested": 1}}),
    ("Model", "spec.risk.personal_data", "false"),
    ("Model", "spec.evaluation.metrics.0.min", "0.8"),
    ("Deployment", "spec.replicas.max", "10"),
    ("Deployment", "spec.replicas.max", True),
    ("Deployment", "spec.resources.memory", "1GB"),
    ("Deployment", "spec.rollout.canary_percent", 101),
    ("Approval", "spec.digest", "sha256:xyz"),
    ("Approval", "spec.date", "20 Nov 2026"),
    ("Waiver", "spec.expires", 20270331),
    ("Waiver", "spec.resources", ["fraud-legacy-prod"]),
    ("Policy", "spec.enforcement", "mandatory"),
    ("Policy", "spec.applies_to.kinds", ["Modle"]),
    ("Policy", "spec.rules.0.assert", {"field": "spec.task", "equls": 1}),
    ("Policy", "spec.rules.0.assert", {"field": "spec.task", "matches": "(open"}),
    ("DataContract", "spec.columns.0.type", "text"),
    ("DataContract", "spec.columns", []),
    ("Target", "spec.platform", "lambda"),
]


@pytest.mark.parametrize(("kind", "path", "value"), INVALID)
def test_invalid_documents_are_rejected_by_both(kind: str, path: str, value: Any) -> None:
    doc = changed(kind, path, value)
    with pytest.raises(ValidationError):
        KINDS[kind].model_validate(doc)
    assert list(validator(kind).iter_errors(doc)), f"schema accepts {path}={value!r}"


def test_project_schema_agrees_with_project_config() -> None:
    check = Draft202012Validator(SCHEMAS["modelspec.schema.json"])
    good = {"project": "acme-ml", "pipelines": {"engine": "argo", "image": "x:1"}}
    ProjectConfig.model_validate(good)
    assert list(check.iter_errors(good)) == []
    for bad in ({"specs": "s"}, {"project": "p", "engine": "argo"}, {"project": 3}):
        with pytest.raises(ValidationError):
            ProjectConfig.model_validate(bad)
        assert list(check.iter_errors(bad))
