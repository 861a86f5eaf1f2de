"""Apply-time overrides: soft-mandatory failures become warnings; hard-mandatory ones never do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from modelspec.compile import Graph
from modelspec.diagnostics import Diagnostic, Severity, has_errors
from modelspec.policy import Override, PolicyReport, apply_overrides, evaluate_policies

GraphFactory = Callable[[dict[str, str]], Graph]  # the `governed` fixture
TODAY = date(2026, 11, 27)


def policy(name: str, enforcement: str) -> str:
    return f"""\
apiVersion: modelspec/v1
kind: Policy
metadata: {{name: {name}, owner: compliance}}
spec:
  description: Protected deployments roll out gradually.
  enforcement: {enforcement}
  applies_to:
    kinds: [Deployment]
    where: {{field: refs.target.spec.protected, equals: true}}
  rules:
    - id: canary-required
      assert: {{field: spec.rollout.strategy, in: [canary, shadow]}}
"""


def report_of(governed: GraphFactory, enforcement: str) -> PolicyReport:
    return evaluate_policies(governed({"p.yaml": policy("canary", enforcement)}), today=TODAY)


def override(name: str = "canary") -> Override:
    return Override(name, "incident 42: hotfix", "jane.doe", "2026-11-27T10:00:00Z")


def test_an_override_turns_soft_mandatory_failures_into_warnings(governed: GraphFactory) -> None:
    report = report_of(governed, "soft-mandatory")
    assert has_errors(report.diagnostics)
    diags, done = apply_overrides(report, [override()])
    assert not has_errors(diags)
    [lifted] = diags
    assert lifted.severity is Severity.WARNING and lifted.code == "MS401"
    assert lifted.message.endswith("; overridden by jane.doe: incident 42: hotfix")
    assert lifted.file == "specs/deployments.yaml" and lifted.line > 0
    [record] = done
    assert record.to_json() == {
        "policy": "canary",
        "reason": "incident 42: hotfix",
        "user": "jane.doe",
        "time": "2026-11-27T10:00:00Z",
        "findings": [
            "[canary/canary-required] deployment.churn-prod: not met: "
            "spec.rollout.strategy is one of canary, shadow (soft-mandatory)"
        ],
    }


def test_a_hard_mandatory_policy_cannot_be_overridden(governed: GraphFactory) -> None:
    report = report_of(governed, "hard-mandatory")
    diags, done = apply_overrides(report, [override()])
    assert done == []
    refusal = diags[-1]
    assert refusal.code == "MS409" and refusal.severity is Severity.ERROR
    assert "cannot override policy canary" in refusal.message
    assert "hard-mandatory" in refusal.message
    # the finding itself still blocks
    assert [d.severity for d in diags] == [Severity.ERROR, Severity.ERROR]


def test_an_unknown_policy_is_refused(governed: GraphFactory) -> None:
    diags, done = apply_overrides(report_of(governed, "soft-mandatory"), [override("canery")])
    assert done == [] and diags[-1].code == "MS409" and diags[-1].is_error
    assert "canery" in diags[-1].message


def test_an_advisory_or_passing_policy_has_nothing_to_override(governed: GraphFactory) -> None:
    diags, done = apply_overrides(report_of(governed, "advisory"), [override()])
    assert done == []
    assert diags[-1].code == "MS409" and diags[-1].severity is Severity.WARNING
    assert "advisory" in diags[-1].message


def test_overrides_apply_to_the_whole_diagnostic_list(governed: GraphFactory) -> None:
    report = report_of(governed, "soft-mandatory")
    other = Diagnostic(Severity.WARNING, "MS404", "waiver expires soon")
    diags, _ = apply_overrides(report, [override()], [other, *report.diagnostics])
    assert diags[0] is other and diags[1].severity is Severity.WARNING


def test_no_overrides_change_nothing(governed: GraphFactory) -> None:
    report = report_of(governed, "soft-mandatory")
    assert apply_overrides(report, []) == (report.diagnostics, [])
