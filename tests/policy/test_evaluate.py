"""Policies over a compiled graph: enforcement, positions, waivers, approvals and CEL errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from modelspec.compile import Graph
from modelspec.diagnostics import Severity
from modelspec.policy import Finding, PolicyReport, evaluate_policies

GraphFactory = Callable[[dict[str, str]], Graph]  # the `governed` fixture

TODAY = date(2026, 11, 27)


def policy(name: str, enforcement: str, kinds: str, rules: str, where: str = "") -> str:
    where_line = f"\n    where: {where}" if where else ""
    return f"""\
apiVersion: modelspec/v1
kind: Policy
metadata: {{name: {name}, owner: compliance}}
spec:
  description: A rule for tests.
  enforcement: {enforcement}
  applies_to:
    kinds: [{kinds}]{where_line}
  rules:
{rules}"""


CANARY = policy(
    "canary",
    "soft-mandatory",
    "Deployment",
    "    - id: canary-required\n"
    "      assert: {field: spec.rollout.strategy, in: [canary, shadow]}\n"
    "      message: Use canary on protected targets.\n"
    "    - id: two-replicas\n"
    "      assert: {field: spec.replicas.min, gte: 2}\n",
    where="{field: refs.target.spec.protected, equals: true}",
)


def waiver(name: str, policy_name: str, expires: str, rule: str | None = None) -> str:
    rule_line = f"  rule: {rule}\n" if rule else ""
    return f"""\
apiVersion: modelspec/v1
kind: Waiver
metadata: {{name: {name}, owner: growth-ml}}
spec:
  policy: {policy_name}
{rule_line}  resources: [deployment.churn-prod]
  justification: No canary capacity until Q1.
  approved_by: jane.doe
  expires: "{expires}"
"""


def approval(digest: str, role: str = "compliance", day: str = "2026-11-20") -> str:
    return f"""\
apiVersion: modelspec/v1
kind: Approval
metadata: {{name: churn-{role}, owner: jane.doe}}
spec:
  subject: model.churn
  digest: {digest}
  role: {role}
  approved_by: jane.doe
  date: "{day}"
"""


def by_rule(report: PolicyReport) -> dict[tuple[str, str], Finding]:
    return {(f.rule, f.resource): f for f in report.findings}


def codes(report: PolicyReport) -> list[str]:
    return [d.code for d in report.diagnostics]


def test_where_selects_and_rules_fail_with_the_message_format(governed: GraphFactory) -> None:
    report = evaluate_policies(governed({"policies.yaml": CANARY}), today=TODAY)
    found = by_rule(report)
    # only the deployment on the protected target is judged
    assert set(found) == {
        ("canary-required", "deployment.churn-prod"),
        ("two-replicas", "deployment.churn-prod"),
    }
    canary = found[("canary-required", "deployment.churn-prod")]
    assert canary.outcome == "fail"
    assert canary.condition_text == "spec.rollout.strategy is one of canary, shadow"
    assert canary.diagnostic is not None
    assert canary.diagnostic.message == (
        "[canary/canary-required] deployment.churn-prod: Use canary on protected targets. (soft-mandatory)"
    )
    replicas = found[("two-replicas", "deployment.churn-prod")]
    assert replicas.message == "not met: spec.replicas.min is at least 2"
    assert report.blocking
    assert codes(report) == ["MS401", "MS401"]


def test_enforcement_levels(governed: GraphFactory) -> None:
    rule = "    - id: oversight\n      assert: {field: spec.card.human_oversight, exists: true}\n"
    for enforcement, severity, blocking in [
        ("advisory", Severity.WARNING, False),
        ("soft-mandatory", Severity.ERROR, True),
        ("hard-mandatory", Severity.ERROR, True),
    ]:
        graph = governed({"policies.yaml": policy("oversight", enforcement, "Model", rule)})
        report = evaluate_policies(graph, today=TODAY)
        [finding] = report.findings
        assert finding.outcome == "fail"
        assert finding.enforcement == enforcement
        assert finding.diagnostic is not None and finding.diagnostic.severity is severity
        assert finding.diagnostic.message.endswith(f"({enforcement})")
        assert report.blocking is blocking


def test_passing_rules_have_no_diagnostic(governed: GraphFactory) -> None:
    rule = "    - id: named\n      assert: {field: metadata.labels.domain, equals: growth}\n"
    report = evaluate_policies(
        governed({"p.yaml": policy("named", "hard-mandatory", "Model", rule)}), today=TODAY
    )
    [finding] = report.findings
    assert finding.outcome == "pass" and finding.diagnostic is None
    assert finding.message == "metadata.labels.domain is growth"
    assert not report.blocking and report.diagnostics == []


def position(root: Path, rel: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """1-based line and column of the n-th occurrence of needle in a spec file."""
    lines = (root / "specs" / rel).read_text().splitlines()
    hits = [(i + 1, line.index(needle) + 1) for i, line in enumerate(lines) if needle in line]
    return hits[occurrence]


def test_a_failing_finding_points_at_the_offending_field(
    governed: GraphFactory, tmp_path: Path
) -> None:
    report = evaluate_policies(governed({"policies.yaml": CANARY}), today=TODAY)
    found = by_rule(report)
    root = tmp_path / "project"
    diag = found[("canary-required", "deployment.churn-prod")].diagnostic
    assert diag is not None
    assert (diag.file, diag.line, diag.column) == (
        "specs/deployments.yaml",
        *position(root, "deployments.yaml", "direct"),
    )
    assert diag.path == "/spec/rollout/strategy"
    diag = found[("two-replicas", "deployment.churn-prod")].diagnostic
    assert diag is not None
    assert (diag.line, diag.column) == position(root, "deployments.yaml", "1, max")
    assert diag.path == "/spec/replicas/min"


def test_a_missing_field_points_at_the_resource_name(
    governed: GraphFactory, tmp_path: Path
) -> None:
    rule = "    - id: oversight\n      assert: {field: spec.replicas.min, gte: 2}\n"
    graph = governed({"p.yaml": policy("replicas", "advisory", "Deployment", rule)})
    found = by_rule(evaluate_policies(graph, today=TODAY))
    diag = found[("oversight", "deployment.churn-dev")].diagnostic
    assert diag is not None
    # churn-dev (second document) writes no replicas: the finding is at its metadata.name
    assert (diag.file, diag.line, diag.column) == (
        "specs/deployments.yaml",
        *position(tmp_path / "project", "deployments.yaml", "churn-dev"),
    )
    assert diag.path == "/metadata/name"


def test_a_composite_condition_points_at_its_first_failing_field(
    governed: GraphFactory, tmp_path: Path
) -> None:
    rule = (
        "    - id: both\n      assert:\n        all:\n"
        "          - {field: metadata.owner, equals: growth-ml}\n"
        "          - {field: spec.rollout.strategy, equals: canary}\n"
    )
    graph = governed({"p.yaml": policy("both", "advisory", "Deployment", rule)})
    diag = by_rule(evaluate_policies(graph, today=TODAY))[
        ("both", "deployment.churn-dev")
    ].diagnostic
    assert diag is not None and diag.path == "/spec/rollout/strategy"
    assert (diag.line, diag.column) == position(
        tmp_path / "project", "deployments.yaml", "direct", 1
    )


def test_refs_of_a_deployment_include_its_models_contract(governed: GraphFactory) -> None:
    rule = (
        "    - id: contract\n      assert:\n        all:\n"
        "          - {field: refs.contract.metadata.name, equals: churn}\n"
        "          - {field: refs.model.spec.risk.tier, equals: high}\n"
        "          - {field: refs.target.spec.platform, equals: local}\n"
    )
    graph = governed({"p.yaml": policy("refs", "hard-mandatory", "Deployment", rule)})
    report = evaluate_policies(graph, today=TODAY)
    assert [f.outcome for f in report.findings] == ["pass", "pass"]


# ---------------------------------------------------------------- waivers


def test_a_waiver_lifts_a_soft_mandatory_rule(governed: GraphFactory) -> None:
    graph = governed(
        {
            "policies.yaml": CANARY,
            "waiver.yaml": waiver("no-canary", "canary", "2027-03-31", "canary-required"),
        }
    )
    report = evaluate_policies(graph, today=TODAY)
    found = by_rule(report)
    lifted = found[("canary-required", "deployment.churn-prod")]
    assert lifted.outcome == "waived"
    assert (lifted.waiver, lifted.approved_by, lifted.expires) == (
        "no-canary",
        "jane.doe",
        "2027-03-31",
    )
    assert lifted.justification == "No canary capacity until Q1."
    assert lifted.diagnostic is not None and lifted.diagnostic.severity is Severity.NOTE
    assert "No canary capacity until Q1." in lifted.diagnostic.message
    assert "jane.doe" in lifted.diagnostic.message
    # the other rule of the policy is not waived
    assert found[("two-replicas", "deployment.churn-prod")].outcome == "fail"
    assert report.blocking


def test_a_waiver_without_rule_lifts_the_whole_policy(governed: GraphFactory) -> None:
    graph = governed(
        {"policies.yaml": CANARY, "waiver.yaml": waiver("all-rules", "canary", "2027-03-31")}
    )
    report = evaluate_policies(graph, today=TODAY)
    assert [f.outcome for f in report.findings] == ["waived", "waived"]
    assert not report.blocking
    assert {d.severity for d in report.diagnostics} == {Severity.NOTE}


def test_a_waiver_holds_through_its_expiry_day_and_warns_before(governed: GraphFactory) -> None:
    graph = governed({"policies.yaml": CANARY, "waiver.yaml": waiver("w", "canary", "2026-11-27")})
    report = evaluate_policies(graph, today=TODAY)
    assert not report.blocking
    [soon] = [d for d in report.diagnostics if d.code == "MS404"]
    assert soon.severity is Severity.WARNING and "expires today" in soon.message
    assert soon.path == "/spec/expires" and soon.file == "specs/waiver.yaml"
    assert (soon.line, soon.column) == (9, 12)  # `  expires: "2026-11-27"` (no rule line)
    in_ten_days = evaluate_policies(graph, today=date(2026, 11, 17))
    assert "in 10 days" in next(d.message for d in in_ten_days.diagnostics if d.code == "MS404")
    assert "MS404" not in codes(evaluate_policies(graph, today=date(2026, 11, 1)))


def test_an_expired_waiver_lifts_nothing_and_says_so(governed: GraphFactory) -> None:
    graph = governed(
        {
            "policies.yaml": CANARY,
            "waiver.yaml": waiver("old", "canary", "2026-11-26", "canary-required"),
        }
    )
    report = evaluate_policies(graph, today=TODAY)
    finding = by_rule(report)[("canary-required", "deployment.churn-prod")]
    assert finding.outcome == "fail"
    assert "waiver old expired on 2026-11-26" in finding.message
    assert finding.diagnostic is not None and finding.diagnostic.severity is Severity.ERROR
    [expired] = [d for d in report.diagnostics if d.code == "MS403"]
    assert "2026-11-26" in expired.message and expired.path == "/spec/expires"
    assert report.blocking


def test_a_waiver_cannot_lift_a_hard_mandatory_policy(governed: GraphFactory) -> None:
    hard = CANARY.replace("soft-mandatory", "hard-mandatory")
    graph = governed({"policies.yaml": hard, "waiver.yaml": waiver("nope", "canary", "2027-03-31")})
    report = evaluate_policies(graph, today=TODAY)
    assert [f.outcome for f in report.findings] == ["fail", "fail"]
    assert all("cannot lift a hard-mandatory policy" in f.message for f in report.findings)
    [invalid] = [d for d in report.diagnostics if d.code == "MS402"]
    assert invalid.severity is Severity.ERROR
    assert (invalid.file, invalid.line, invalid.path) == ("specs/waiver.yaml", 5, "/spec/policy")
    assert report.blocking


def test_an_advisory_finding_can_be_waived(governed: GraphFactory) -> None:
    advisory = CANARY.replace("soft-mandatory", "advisory")
    graph = governed(
        {"policies.yaml": advisory, "waiver.yaml": waiver("w", "canary", "2027-03-31")}
    )
    report = evaluate_policies(graph, today=TODAY)
    assert [f.outcome for f in report.findings] == ["waived", "waived"]


# ---------------------------------------------------------------- approvals

APPROVED = policy(
    "approved",
    "hard-mandatory",
    "Model",
    "    - id: compliance-approved\n      require_approval: {role: compliance}\n",
    where="{field: spec.risk.tier, in: [high]}",
)


def test_a_required_approval_is_missing(governed: GraphFactory) -> None:
    report = evaluate_policies(governed({"p.yaml": APPROVED}), today=TODAY)
    [finding] = report.findings
    assert finding.outcome == "fail"
    assert finding.message == "needs an approval by role compliance of its current spec"
    assert finding.diagnostic is not None and finding.diagnostic.path == "/metadata/name"
    assert "modelspec approve model.churn --role compliance" in finding.diagnostic.hint


def test_a_fresh_approval_meets_the_rule(governed: GraphFactory) -> None:
    digest = governed({"p.yaml": APPROVED}).resources["model.churn"].digest
    graph = governed({"p.yaml": APPROVED, "approvals/churn.yaml": approval(digest)})
    report = evaluate_policies(graph, today=TODAY)
    [finding] = report.findings
    assert (finding.outcome, finding.approved_by) == ("pass", "jane.doe")
    assert report.diagnostics == [] and not report.blocking


def test_an_approval_in_another_role_does_not_count(governed: GraphFactory) -> None:
    digest = governed({"p.yaml": APPROVED}).resources["model.churn"].digest
    graph = governed(
        {"p.yaml": APPROVED, "approvals/churn.yaml": approval(digest, role="security")}
    )
    assert evaluate_policies(graph, today=TODAY).findings[0].outcome == "fail"


def test_a_stale_approval_counts_for_nothing_and_says_so(governed: GraphFactory) -> None:
    graph = governed({"p.yaml": APPROVED, "approvals/churn.yaml": approval("sha256:" + "0" * 64)})
    report = evaluate_policies(graph, today=TODAY)
    [finding] = report.findings
    assert finding.outcome == "fail"
    assert (
        "approval by jane.doe on 2026-11-20 is stale: model.churn changed since" in finding.message
    )
    [stale] = [d for d in report.diagnostics if d.code == "MS405"]
    assert stale.severity is Severity.WARNING
    assert (stale.file, stale.line, stale.path) == ("specs/approvals/churn.yaml", 6, "/spec/digest")


# ---------------------------------------------------------------- CEL in policies


def test_a_cel_compile_error_is_reported_at_the_expression(governed: GraphFactory) -> None:
    rule = "    - id: bad\n      assert: {expr: 'spec.version =='}\n"
    graph = governed({"p.yaml": policy("cel", "hard-mandatory", "Model", rule)})
    report = evaluate_policies(graph, today=TODAY)
    assert report.findings == []
    [error] = report.diagnostics
    assert (error.code, error.severity) == ("MS406", Severity.ERROR)
    assert (error.file, error.line, error.column) == ("specs/p.yaml", 11, 22)
    assert error.path == "/spec/rules/0/assert/expr"
    assert "invalid CEL" in error.message


def test_a_cel_runtime_error_fails_the_rule_with_a_warning(governed: GraphFactory) -> None:
    rule = "    - id: oversight\n      assert: {expr: 'spec.card.human_oversight != \"\"'}\n"
    graph = governed({"p.yaml": policy("cel", "soft-mandatory", "Model", rule)})
    report = evaluate_policies(graph, today=TODAY)
    [finding] = report.findings
    assert finding.outcome == "fail"
    assert finding.message == 'not met: the CEL expression `spec.card.human_oversight != ""` holds'
    [warning] = [d for d in report.diagnostics if d.code == "MS406"]
    assert warning.severity is Severity.WARNING and "model.churn" in warning.message
    assert warning.path == "/spec/rules/0/assert/expr"


def test_cel_sees_the_resource_and_its_refs(governed: GraphFactory) -> None:
    rule = (
        "    - id: no-pii\n      assert:\n        expr: >-\n"
        "          !refs.contract.spec.columns.exists(c, c.name in resource.spec.data.features\n"
        "          && has(c.classification) && c.classification == 'pii')\n"
    )
    report = evaluate_policies(
        governed({"p.yaml": policy("pii", "hard-mandatory", "Model", rule)}), today=TODAY
    )
    assert [f.outcome for f in report.findings] == ["pass"]


def test_results_json_lists_every_finding(governed: GraphFactory) -> None:
    graph = governed(
        {
            "policies.yaml": CANARY,
            "waiver.yaml": waiver("w", "canary", "2027-03-31", "canary-required"),
        }
    )
    results = evaluate_policies(graph, today=TODAY).results_json()
    assert results[0] == {
        "policy": "canary",
        "rule": "canary-required",
        "resource": "deployment.churn-prod",
        "enforcement": "soft-mandatory",
        "outcome": "waived",
        "message": "Use canary on protected targets.",
        "waiver": "w",
        "justification": "No canary capacity until Q1.",
        "approved_by": "jane.doe",
        "expires": "2027-03-31",
    }
    assert results[1]["outcome"] == "fail" and results[1]["waiver"] is None


def test_policies_without_expressions_never_import_celpy() -> None:
    import subprocess
    import sys

    code = """
import sys
from datetime import date
from modelspec.compile.graph import Graph, Resource, digest_of
from modelspec.policy import evaluate_policies

def resource(kind, name, spec):
    doc = {"apiVersion": "modelspec/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}
    return Resource(kind, name, doc, digest_of(doc), ())

rule = {"id": "r", "assert": {"not": {"field": "spec.risk.tier", "in": ["high"]}}}
policy = {"description": "d", "enforcement": "advisory",
          "applies_to": {"kinds": ["Model"]}, "rules": [rule]}
graph = Graph({"model.m": resource("Model", "m", {"risk": {"tier": "high"}}),
               "policy.p": resource("Policy", "p", policy)})
report = evaluate_policies(graph, today=date(2026, 1, 1))
assert [f.outcome for f in report.findings] == ["fail"], report
assert report.findings[0].diagnostic.file == ""
assert "celpy" not in sys.modules
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
