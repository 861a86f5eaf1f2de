"""operations.approve: the Approval it writes, and nothing written when it refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from modelspec.operations.approve import ApprovalRequest, approve
from modelspec.project import Project, load_project

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
        """,
}
DAY = date(2026, 11, 20)


def _project(make_project: ProjectFactory, specs: dict[str, str]) -> Project:
    project, diags = load_project(make_project(specs))
    assert project is not None, diags
    return project


def test_approve_returns_the_write_it_made(make_project: ProjectFactory) -> None:
    project = _project(make_project, SPECS)
    result = approve(project, ApprovalRequest("model.churn", "compliance", "jane.doe", DAY))
    assert result.write is not None and not result.specs_invalid and result.diagnostics == []
    assert result.write.created and result.write.path == "specs/approvals/model-churn-compliance.yaml"
    written = (project.root / result.write.path).read_text(encoding="utf-8")
    assert written == result.write.text
    assert 'date: "2026-11-20"' in written and f"digest: {result.write.digest}" in written


def test_approve_writes_nothing_for_an_unknown_subject(make_project: ProjectFactory) -> None:
    project = _project(make_project, SPECS)
    result = approve(project, ApprovalRequest("model.chrun", "compliance", "jane.doe", DAY))
    assert result.write is None and not result.specs_invalid
    assert [d.code for d in result.diagnostics] == ["MS301"]
    assert "did you mean 'model.churn'?" in (result.diagnostics[0].hint or "")
    assert not (project.specs_dir / "approvals").exists()


def test_approve_writes_nothing_when_the_specs_do_not_compile(make_project: ProjectFactory) -> None:
    broken = {**SPECS, "model.yaml": SPECS["model.yaml"].replace("contract: churn", "contract: nope")}
    project = _project(make_project, broken)
    result = approve(project, ApprovalRequest("model.churn", "compliance", "jane.doe", DAY))
    assert result.write is None and result.specs_invalid
    assert any(d.is_error for d in result.diagnostics)
    assert not (project.specs_dir / "approvals").exists()


def test_a_name_ending_in_a_newline_is_quoted_not_written_bare(make_project: ProjectFactory) -> None:
    project = _project(make_project, SPECS)
    result = approve(project, ApprovalRequest("model.churn", "compliance", "jane.doe\nrole: admin", DAY))
    assert result.write is None or '"jane.doe\\nrole: admin"' in result.write.text
    if result.write is not None:
        assert "\nrole: admin" not in result.write.text.replace('\\nrole: admin"', "")
    result = approve(project, ApprovalRequest("model.churn", "compliance", "jane.doe\n", DAY))
    assert result.write is None or 'by: "jane.doe\\n"' in result.write.text
