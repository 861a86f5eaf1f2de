"""`modelspec approve`: a new Approval file, an update in place that keeps comments, refusals."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from modelspec.approvals import approval_name
from modelspec.cli import cli
from modelspec.compile import Graph, load_graph
from modelspec.policy import evaluate_policies
from modelspec.project import load_project

ProjectFactory = Callable[[dict[str, str]], Path]

SPECS = {
    "contract.yaml": """
        apiVersion: modelspec/v1
        kind: DataContract
        metadata: {name: churn, owner: data-team}
        spec:
          version: 1.0.0
          source: {path: data/churn.csv, format: csv}
          columns:
            - {name: tenure_months, type: integer}
            - {name: churned, type: boolean}
        """,
    "model.yaml": """
        apiVersion: modelspec/v1
        kind: Model
        metadata: {name: churn, owner: growth-ml}
        spec:
          version: 1.0.0
          task: classification
          data: {contract: churn, target: churned, features: [tenure_months]}
          training:
            estimator: {class: sklearn.linear_model.LogisticRegression}
          risk: {tier: high}
        """,
    "policy.yaml": """
        apiVersion: modelspec/v1
        kind: Policy
        metadata: {name: approved, owner: compliance}
        spec:
          description: High-risk models are approved by compliance.
          enforcement: hard-mandatory
          applies_to: {kinds: [Model]}
          rules:
            - id: compliance-approved
              require_approval: {role: compliance}
        """,
}


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-C", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.output


def graph_of(root: Path) -> Graph:
    project, _ = load_project(root)
    assert project is not None
    graph, diags = load_graph(project)
    assert diags == [], diags
    return graph


def test_approve_writes_a_new_approval_file(make_project: ProjectFactory) -> None:
    root = make_project(SPECS)
    digest = graph_of(root).resources["model.churn"].digest
    code, out = run(
        root,
        "approve",
        "model.churn",
        "--role",
        "compliance",
        "--by",
        "jane.doe",
        "--comment",
        "Reviewed: oversight is documented.",
        "--date",
        "2026-11-20",
    )
    assert code == 0, out
    path = root / "specs" / "approvals" / "model-churn-compliance.yaml"
    assert "specs/approvals/model-churn-compliance.yaml" in out
    assert path.read_text() == (
        "# yaml-language-server: $schema=../../schemas/approval.schema.json\n"
        "apiVersion: modelspec/v1\n"
        "kind: Approval\n"
        "metadata:\n"
        "  name: model-churn-compliance\n"
        "  owner: jane.doe\n"
        '  description: "Reviewed: oversight is documented."\n'
        "spec:\n"
        "  subject: model.churn\n"
        f"  digest: {digest}\n"
        "  role: compliance\n"
        "  approved_by: jane.doe\n"
        '  date: "2026-11-20"\n'
    )
    graph = graph_of(root)
    # the approval's own digest is not part of what it approves: the subject is unchanged
    assert graph.resources["model.churn"].digest == digest
    report = evaluate_policies(graph, today=date(2026, 11, 27))
    assert [(f.outcome, f.approved_by) for f in report.findings] == [("pass", "jane.doe")]
    assert not list(path.parent.glob(".*.tmp"))


def test_approve_defaults_to_the_pinned_today(make_project: ProjectFactory) -> None:
    root = make_project(SPECS)
    code, out = run(root, "approve", "model.churn", "--role", "risk officer", "--by", "Jane Doe")
    assert code == 0, out
    text = (root / "specs" / "approvals" / "model-churn-risk-officer.yaml").read_text()
    pinned = os.environ["MODELSPEC_TODAY"]  # the autouse fixture's day; tests/test_clock.py covers UTC
    assert f'date: "{pinned}"' in text
    assert 'role: "risk officer"' in text and 'approved_by: "Jane Doe"' in text
    assert "description" not in text


STALE = """\
# yaml-language-server: $schema=../../schemas/approval.schema.json
# Signed off in review meeting 12.
apiVersion: modelspec/v1
kind: Approval
metadata:
  name: churn-by-compliance
  owner: jane.doe  # compliance lead
spec:
  subject: model.churn
  digest: sha256:{zeros}  # pinned
  role: compliance
  approved_by: jane.doe
  date: "2026-10-01"
---
# A second document the update leaves alone.
apiVersion: modelspec/v1
kind: Approval
metadata: {{name: churn-by-security, owner: sec}}
spec:
  subject: model.churn
  digest: sha256:{zeros}
  role: security
  approved_by: sam
  date: '2026-10-02'
"""


def test_approve_updates_the_existing_approval_in_place(make_project: ProjectFactory) -> None:
    root = make_project({**SPECS, "governance/approvals.yaml": STALE.format(zeros="0" * 64)})
    digest = graph_of(root).resources["model.churn"].digest
    code, out = run(
        root,
        "approve",
        "model.churn",
        "--role",
        "compliance",
        "--by",
        "jane.doe",
        "--date",
        "2026-11-20",
    )
    assert code == 0, out
    assert "Updated specs/governance/approvals.yaml" in out
    assert not (root / "specs" / "approvals").exists()
    text = (root / "specs" / "governance" / "approvals.yaml").read_text()
    expected = STALE.format(zeros="0" * 64)
    expected = expected.replace(f"sha256:{'0' * 64}  # pinned", f"{digest}  # pinned")
    expected = expected.replace('date: "2026-10-01"', 'date: "2026-11-20"')
    # the second document gets the editor's schema too (yaml-language-server reads a
    # modeline only in its own document)
    modeline = "# yaml-language-server: $schema=../../schemas/approval.schema.json\n"
    expected = expected.replace("---\n", "---\n" + modeline)
    assert text == expected
    report = evaluate_policies(graph_of(root), today=date(2026, 11, 27))
    assert [f.outcome for f in report.findings] == ["pass"]
    assert [d.code for d in report.diagnostics] == ["MS405"]  # only the security one is stale


def test_approve_refuses_a_project_that_does_not_validate(make_project: ProjectFactory) -> None:
    broken = SPECS["model.yaml"].replace("task: classification", "task: clasification")
    root = make_project({**SPECS, "model.yaml": broken})
    code, out = run(root, "approve", "model.churn", "--role", "compliance", "--by", "jane.doe")
    assert code == 1
    assert "specs/model.yaml" in out and "do not validate" in out
    assert "Traceback" not in out
    assert not (root / "specs" / "approvals").exists()


def test_approve_refuses_an_unknown_address(make_project: ProjectFactory) -> None:
    root = make_project(SPECS)
    code, out = run(root, "approve", "model.chrun", "--role", "compliance", "--by", "jane.doe")
    assert code == 1
    assert "model.chrun does not exist" in out and "did you mean 'model.churn'" in out
    assert not (root / "specs" / "approvals").exists()


def test_approve_refuses_a_malformed_date(make_project: ProjectFactory) -> None:
    root = make_project(SPECS)
    code, out = run(
        root, "approve", "model.churn", "--role", "c", "--by", "j", "--date", "20261120"
    )
    assert code == 1 and "YYYY-MM-DD" in out


def test_approval_names_are_dns_labels_and_unique() -> None:
    assert approval_name("Model", "churn", "compliance", set()) == "model-churn-compliance"
    assert approval_name("Model", "churn", "Risk Officer!", set()) == "model-churn-risk-officer"
    taken = {"model-churn-compliance", "model-churn-compliance-2"}
    assert approval_name("Model", "churn", "compliance", taken) == "model-churn-compliance-3"
    long = approval_name("Deployment", "a" * 60, "compliance", set())
    assert len(long) <= 63 and not long.endswith("-")
    assert approval_name("Deployment", "a" * 60, "compliance", {long}).endswith("-2")
