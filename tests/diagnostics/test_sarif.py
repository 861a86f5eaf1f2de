"""SARIF 2.1.0 output: valid against the official schema and shaped for GitHub code scanning."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from modelspec import __version__
from modelspec.diagnostics import CODES, Diagnostic, Severity
from modelspec.diagnostics.render import RenderContext, render
from modelspec.diagnostics.rules import DESCRIPTIONS, DOCS_URI
from modelspec.diagnostics.sarif import FINGERPRINT

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


@pytest.mark.parametrize("repository_path", ["", "ml", "team a/ml"])
def test_output_validates_against_the_schema(
    validator: jsonschema.protocols.Validator, nasty: list[Diagnostic], repository_path: str
) -> None:
    validator.validate(_sarif(nasty, repository_path=repository_path))


def test_a_rule_for_every_code_validates(validator: jsonschema.protocols.Validator) -> None:
    every = [Diagnostic(Severity.ERROR, code, "m", file="specs/x.yaml", line=1) for code in CODES]
    validator.validate(_sarif(every))


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
        # GitHub's ingestion rules (GH2012): fullDescription and help, as text and markdown
        for field in ("fullDescription", "help"):
            assert rule[field]["text"] and rule[field]["markdown"]
        assert rule["helpUri"] == DOCS_URI + "#codes"
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


def test_rule_text_comes_from_the_documented_description() -> None:
    (rule,) = _sarif([Diagnostic(Severity.ERROR, "MS200", "m")])["runs"][0]["tool"]["driver"]["rules"]
    assert DESCRIPTIONS["MS200"] == "`apiVersion` is missing or not `modelspec/v1`"
    assert rule["fullDescription"] == {
        "text": "apiVersion is missing or not modelspec/v1.",
        "markdown": "`apiVersion` is missing or not `modelspec/v1`.",
    }
    assert rule["help"]["markdown"].startswith(
        "**MS200 unsupported-api-version**: `apiVersion` is missing or not `modelspec/v1`."
    )
    assert DOCS_URI + "#codes" in rule["help"]["text"]


def test_an_unknown_code_still_gets_full_description_and_help() -> None:
    (rule,) = _sarif([Diagnostic(Severity.ERROR, "XX999", "m")])["runs"][0]["tool"]["driver"]["rules"]
    assert rule["fullDescription"]["text"] and rule["help"]["text"] and rule["help"]["markdown"]
    assert "helpUri" not in rule


def test_srcroot_is_described_never_an_absolute_path(nasty: list[Diagnostic]) -> None:
    run = _sarif(nasty, repository_path="ml")["runs"][0]
    (base,) = run["originalUriBaseIds"].values()
    assert set(base) == {"description"} and "show-toplevel" in base["description"]["text"]
    assert "file:" not in json.dumps(run)


def test_uris_are_relative_to_the_repository_root(nasty: list[Diagnostic]) -> None:
    results = _sarif(nasty, repository_path="team a/ml")["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "team%20a/ml/specs/models.yaml" in uris
    assert "team%20a/ml/modelspec.yaml" in uris  # a finding without a file
    assert all(u.startswith("team%20a/ml/") for u in uris)


def _fingerprints(diags: list[Diagnostic], lines: dict[tuple[str, int], str]) -> list[str]:
    results = _sarif(diags, source_line=lambda f, n: lines.get((f, n), ""))["runs"][0]["results"]
    return [r["partialFingerprints"][FINGERPRINT] for r in results]


def test_fingerprints_follow_githubs_line_hash_convention(unknown_field: Diagnostic) -> None:
    lines = {("specs/models.yaml", 12): "      estimater: sklearn.ensemble.X"}
    (value,) = _fingerprints([unknown_field], lines)
    assert re.fullmatch(r"[0-9a-f]{16}:1", value)
    assert _fingerprints([unknown_field], lines) == [value]  # the same on every run


def test_fingerprints_survive_unrelated_edits(unknown_field: Diagnostic) -> None:
    lines = {("specs/models.yaml", 12): "      estimater: sklearn.ensemble.X"}
    before = _fingerprints([unknown_field], lines)
    # the file gained three lines above the finding and was re-indented; the message reworded
    moved = replace(unknown_field, line=15, column=3, message="unknown field 'estimater' here")
    assert _fingerprints([moved], {("specs/models.yaml", 15): "  estimater:  sklearn.ensemble.X"}) == before
    # but another rule, another file or another line text is another finding
    assert _fingerprints([replace(unknown_field, code="MS205")], lines) != before
    other_file = replace(unknown_field, file="specs/other.yaml")
    assert _fingerprints([other_file], {("specs/other.yaml", 12): lines[("specs/models.yaml", 12)]}) != before
    assert _fingerprints([unknown_field], {("specs/models.yaml", 12): "estimater: y"}) != before


def test_fingerprints_count_occurrences_of_one_line(unknown_field: Diagnostic) -> None:
    twin = replace(unknown_field, line=30)
    text = "      estimater: sklearn.ensemble.X"
    lines = {("specs/models.yaml", 12): text, ("specs/models.yaml", 30): text}
    first, second = _fingerprints([unknown_field, twin], lines)
    assert first.split(":")[0] == second.split(":")[0]
    assert (first[-2:], second[-2:]) == (":1", ":2")


def test_fingerprints_without_a_line_hash_the_message() -> None:
    a = Diagnostic(Severity.ERROR, "MS003", "no specs found under specs/")
    b = Diagnostic(Severity.ERROR, "MS003", "no specs found under other/")
    assert len(set(_fingerprints([a, b], {}))) == 2


def test_fingerprints_name_the_repository_path(unknown_field: Diagnostic) -> None:
    top = _sarif([unknown_field])["runs"][0]["results"][0]["partialFingerprints"]
    sub = _sarif([unknown_field], repository_path="ml")["runs"][0]["results"][0]["partialFingerprints"]
    assert top != sub
