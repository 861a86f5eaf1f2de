"""SARIF 2.1.0 output: valid against the official schema and shaped for GitHub code scanning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from modelspec import __version__
from modelspec.diagnostics import CODES, Diagnostic
from modelspec.diagnostics.render import RenderContext, render

SCHEMA_PATH = Path(__file__).parents[1] / "vendor" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _sarif(diags: list[Diagnostic], **ctx: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(render("sarif", diags, RenderContext(**ctx)))
    return result


def test_the_schema_is_the_official_one(validator: jsonschema.protocols.Validator) -> None:
    schema = validator.schema
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    # the schema rejects what it should
    assert not validator.is_valid({"version": "2.1.0"})
    assert not validator.is_valid({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})


@pytest.mark.parametrize("base_uri", ["", "file:///work/repo/"])
def test_output_validates_against_the_schema(
    validator: jsonschema.protocols.Validator, nasty: list[Diagnostic], base_uri: str
) -> None:
    validator.validate(_sarif(nasty, base_uri=base_uri))


def test_empty_run_validates(validator: jsonschema.protocols.Validator) -> None:
    log = _sarif([])
    validator.validate(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []


def test_log_header_and_driver(nasty: list[Diagnostic]) -> None:
    log = _sarif(nasty, tool_version="1.2.3")
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "modelspec"
    assert driver["version"] == "1.2.3"
    assert driver["informationUri"].startswith("https://")
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"
    assert _sarif([])["runs"][0]["tool"]["driver"]["version"] == __version__


def test_rules_cover_exactly_the_codes_that_occur(nasty: list[Diagnostic]) -> None:
    run = _sarif(nasty)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({d.code for d in nasty})
    for rule in rules:
        assert rule["name"] == CODES[rule["id"]]
        assert rule["shortDescription"]["text"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_meet_code_scanning_requirements(nasty: list[Diagnostic]) -> None:
    results = _sarif(nasty)["runs"][0]["results"]
    assert len(results) == len(nasty)
    for result in results:
        assert result["ruleId"] and result["message"]["text"]
        assert result["level"] in {"error", "warning", "note"}
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        uri = urlsplit(artifact["uri"])
        assert not uri.scheme and not uri.netloc and not uri.path.startswith("/")
        region = location["physicalLocation"].get("region")
        if region is not None:
            assert region["startLine"] >= 1
            assert region.get("startColumn", 1) >= 1


def test_result_fields(nasty: list[Diagnostic]) -> None:
    results = _sarif(nasty)["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}

    unknown = by_rule["MS202"]
    assert unknown["level"] == "error"
    assert (
        unknown["message"]["text"] == 'unknown field "estimater"\nhint: did you mean "estimator"?'
    )
    physical = unknown["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "specs/models.yaml"
    assert physical["region"] == {"startLine": 12, "startColumn": 7}
    assert unknown["properties"] == {"jsonPointer": "/spec/training/estimater"}

    assert by_rule["MS205"]["level"] == "warning"
    assert by_rule["MS301"]["level"] == "note"
    # line known, column unknown: a region without startColumn
    assert by_rule["MS204"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 20}
    # no file: reported on the project config, without a region
    project = by_rule["MS003"]["locations"][0]["physicalLocation"]
    assert project["artifactLocation"]["uri"] == "modelspec.yaml"
    assert "region" not in project


def test_paths_become_percent_encoded_relative_uris(nasty: list[Diagnostic]) -> None:
    results = _sarif(nasty)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "specs/a%2C%20b%3Ac%25.yaml" in uris
    assert "specs/%C3%BCn%C3%AF.yaml" in uris
    assert {unquote(u) for u in uris} >= {"specs/a, b:c%.yaml", "specs/ünï.yaml"}


def test_base_uri_sets_srcroot() -> None:
    run = _sarif([], base_uri="file:///work/repo")["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/repo/"}}
    assert "originalUriBaseIds" not in _sarif([])["runs"][0]
