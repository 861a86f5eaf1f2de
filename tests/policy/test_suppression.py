"""Waived findings stay visible in every output, with their justification and approver."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from modelspec.compile import Graph
from modelspec.diagnostics import Diagnostic, Severity, Suppression
from modelspec.diagnostics.render import RenderContext, render
from modelspec.policy import evaluate_policies

GraphFactory = Callable[[dict[str, str]], Graph]  # the `governed` fixture
TODAY = date(2026, 11, 27)
SARIF_SCHEMA = Path(__file__).parents[1] / "vendor" / "sarif-schema-2.1.0.json"

POLICY = """\
apiVersion: modelspec/v1
kind: Policy
metadata: {name: canary, owner: compliance}
spec:
  description: Protected deployments roll out gradually.
  enforcement: soft-mandatory
  applies_to:
    kinds: [Deployment]
    where: {field: refs.target.spec.protected, equals: true}
  rules:
    - id: canary-required
      assert: {field: spec.rollout.strategy, in: [canary, shadow]}
"""

WAIVER = """\
apiVersion: modelspec/v1
kind: Waiver
metadata: {name: no-canary, owner: growth-ml}
spec:
  policy: canary
  resources: [deployment.churn-prod]
  justification: >-
    No canary capacity
    until Q1.
  approved_by: jane.doe
  expires: "2027-03-31"
"""


@pytest.fixture
def waived(governed: GraphFactory) -> Diagnostic:
    report = evaluate_policies(governed({"p.yaml": POLICY, "w.yaml": WAIVER}), today=TODAY)
    [finding] = report.findings
    assert finding.outcome == "waived" and finding.diagnostic is not None
    return finding.diagnostic


def test_a_waived_finding_carries_its_suppression(waived: Diagnostic) -> None:
    assert waived.severity is Severity.NOTE
    assert waived.suppression == Suppression(
        justification="No canary capacity until Q1.",
        approved_by="jane.doe",
        expires="2027-03-31",
        source="waiver.no-canary",
    )


def test_failing_and_passing_findings_carry_none(governed: GraphFactory) -> None:
    report = evaluate_policies(governed({"p.yaml": POLICY}), today=TODAY)
    assert [d.suppression for d in report.diagnostics] == [None]


def test_sarif_shows_an_external_suppression_with_its_justification(waived: Diagnostic) -> None:
    log = json.loads(render("sarif", [waived], RenderContext(tool_version="1.0.0")))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(log, schema)
    [result] = log["runs"][0]["results"]
    assert result["level"] == "note"
    assert result["suppressions"] == [
        {
            "kind": "external",
            "justification": "No canary capacity until Q1.",
            "properties": {
                "approvedBy": "jane.doe",
                "expires": "2027-03-31",
                "source": "waiver.no-canary",
            },
        }
    ]


def test_sarif_results_without_a_waiver_have_no_suppressions(governed: GraphFactory) -> None:
    report = evaluate_policies(governed({"p.yaml": POLICY}), today=TODAY)
    log = json.loads(render("sarif", report.diagnostics, RenderContext()))
    assert "suppressions" not in log["runs"][0]["results"][0]


def test_json_adds_the_suppression_to_a_waived_diagnostic(waived: Diagnostic) -> None:
    doc = json.loads(render("json", [waived], RenderContext()))
    [item] = doc["diagnostics"]
    assert item["severity"] == "note" and doc["valid"] is True
    assert item["suppression"] == {
        "justification": "No canary capacity until Q1.",
        "approved_by": "jane.doe",
        "expires": "2027-03-31",
        "source": "waiver.no-canary",
    }


@pytest.mark.parametrize("fmt", ["text", "github", "junit"])
def test_line_formats_say_it_is_waived_by_whom_and_why(waived: Diagnostic, fmt: str) -> None:
    out = render(fmt, [waived], RenderContext())
    assert "waived by no-canary until 2027-03-31" in out
    assert "approved by jane.doe" in out
    assert "No canary capacity until Q1." in out


def test_github_shows_a_waived_finding_as_a_notice(waived: Diagnostic) -> None:
    assert render("github", [waived], RenderContext()).startswith("::notice file=specs/")
