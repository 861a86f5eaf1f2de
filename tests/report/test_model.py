"""The report's data: inventory, policies per resource, waivers, approvals, audit, Annex IV."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from modelspec.compile import load_graph
from modelspec.operations.report import load_report
from modelspec.policy import evaluate_policies
from modelspec.project import load_project
from modelspec.report import Report, build_report
from modelspec.state import LocalFileBackend, State, append_audit

TODAY = date(2026, 11, 27)  # as in conftest
GENERATED_AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def test_the_inventory_lists_every_model_with_owner_version_tier_and_deployments(
    report: Report,
) -> None:
    models = {m.name: m for m in report.models}
    assert list(models) == ["biopsy", "triage"]
    biopsy = models["biopsy"]
    assert (biopsy.owner, biopsy.version, biopsy.applied_version) == ("oncology-ml", "1.2.0", "1.1.0")
    assert (biopsy.risk_tier, biopsy.personal_data) == ("high", True)
    assert biopsy.intended_use == "Order the <b>pathology</b> worklist | by risk."
    assert biopsy.human_oversight == ""
    [deployment] = biopsy.deployments
    assert (deployment.name, deployment.target, deployment.protected) == ("biopsy-prod", "prod", True)
    assert (deployment.version, deployment.applied_version) == ("1.2.0", "1.1.0")
    triage = models["triage"]
    assert triage.applied_version is None and triage.deployments[0].applied_version is None
    assert triage.human_oversight == "Staff reorder freely."


def test_each_model_lists_the_rules_on_it_and_its_deployments(report: Report) -> None:
    biopsy = next(m for m in report.models if m.name == "biopsy")
    outcomes = {(r.policy, r.rule, r.resource): r.outcome for r in biopsy.results}
    assert outcomes == {
        ("gradual-rollout", "canary-or-shadow", "deployment.biopsy-prod"): "fail",
        ("gradual-rollout", "two-replicas", "deployment.biopsy-prod"): "waived",
        ("high-risk-overseen", "oversight-documented", "model.biopsy"): "fail",
        ("high-risk-overseen", "compliance-approved", "model.biopsy"): "pass",
    }
    waived = next(r for r in biopsy.results if r.outcome == "waived")
    assert (waived.waiver, waived.approved_by, waived.expires) == (
        "biopsy-one-replica", "dr.okafor", "2027-01-06",
    )
    assert waived.justification == "Low volume; the worklist falls back to arrival order."
    expired = next(r for r in biopsy.results if r.rule == "canary-or-shadow")
    assert expired.waiver is None and "expired on 2026-11-20" in expired.detail


def test_each_policy_reads_in_english_with_an_outcome_per_resource(report: Report) -> None:
    policies = {p.name: p for p in report.policies}
    assert list(policies) == ["gradual-rollout", "high-risk-overseen", "triage-approved"]
    rollout = policies["gradual-rollout"]
    assert rollout.enforcement == "soft-mandatory" and rollout.owner == "platform"
    assert rollout.scope == "every Deployment where refs.target.spec.protected is true"
    assert rollout.rules == (
        ("canary-or-shadow", "spec.rollout.strategy is one of canary, shadow"),
        ("two-replicas", "spec.replicas.min is at least 2"),
    )
    assert [(r.resource, r.rule, r.outcome) for r in rollout.results] == [
        ("deployment.biopsy-prod", "canary-or-shadow", "fail"),
        ("deployment.biopsy-prod", "two-replicas", "waived"),
        ("deployment.triage-prod", "canary-or-shadow", "pass"),
        ("deployment.triage-prod", "two-replicas", "pass"),
    ]
    overseen = policies["high-risk-overseen"]
    assert overseen.rules[1] == (
        "compliance-approved", "approved by role compliance at its current spec digest"
    )
    assert report.outcomes == {"pass": 3, "fail": 3, "waived": 1}


def test_waivers_show_approver_and_days_to_expiry_from_the_given_day(report: Report) -> None:
    rows = {w.name: (w.approved_by, w.expires, w.days_left, w.status) for w in report.waivers}
    assert rows == {
        "biopsy-no-canary": ("jane.doe", "2026-11-20", -7, "expired"),
        "biopsy-one-replica": ("dr.okafor", "2027-01-06", 40, "active"),
        "triage-single-zone": ("ops.lead", "2026-12-02", 5, "expires soon"),
    }
    whole = next(w for w in report.waivers if w.name == "triage-single-zone")
    assert whole.rule == "every rule" and whole.resources == ("deployment.triage-prod",)


def test_approvals_are_fresh_or_stale(report: Report) -> None:
    assert [(a.subject, a.role, a.approved_by, a.status) for a in report.approvals] == [
        ("model.biopsy", "compliance", "ines.marchetti", "fresh"),
        ("model.triage", "clinical-lead", "sam.lead", "stale"),
    ]
    triage = next(m for m in report.models if m.name == "triage")
    assert [a.status for a in triage.approvals] == ["stale"]


def test_the_audit_history_is_newest_first_with_overrides(report: Report) -> None:
    first, second = report.audit
    assert (first.time, first.user, first.summary) == (
        "2026-11-26T16:20:00Z", "jane.doe", "update 1, no-op 4",
    )
    assert first.overrides == ("gradual-rollout by jane.doe: hotfix for incident 42",)
    assert first.git_commit == ""
    assert (second.user, second.summary, second.git_commit) == ("ci-bot", "create 5", "0123456789ab")


def test_annex_iv_is_checked_for_high_risk_models_only(report: Report) -> None:
    biopsy, triage = report.models
    assert triage.annex == ()
    marks = {item.topic: item.documented for item in biopsy.annex}
    assert marks == {
        "Intended purpose": True,
        "Limitations and out-of-scope use": False,
        "Training data and its governance": True,
        "Training method": True,
        "Accuracy metrics and thresholds": True,
        "Human oversight": False,
        "Known risks and their mitigation": False,
        "Post-market monitoring": False,
    }
    details = {item.topic: item.detail for item in biopsy.annex}
    assert details["Human oversight"] == "missing: write spec.card.human_oversight"
    assert details["Accuracy metrics and thresholds"] == "roc_auc at least 0.9"
    assert "data contract biopsies 2.0.0 (4 columns" in details["Training data and its governance"]
    assert details["Post-market monitoring"] == "missing: spec.monitoring on deployment biopsy-prod"


def test_the_same_inputs_give_the_same_report(
    governed_root: Path, report: Report, applied: State, audit_records: list[dict[str, Any]]
) -> None:
    project, _ = load_project(governed_root)
    assert project is not None
    graph, diags = load_graph(project)
    policy = evaluate_policies(graph, today=TODAY)
    again = build_report(
        graph, policy, applied, audit_records, project="oncology", today=TODAY,
        generated_at=GENERATED_AT, diagnostics=diags + policy.diagnostics,
    )
    assert again == report
    assert report.generated_at == "2026-11-27 09:30 UTC" and report.today == "2026-11-27"


def test_load_report_reads_state_and_audit_log(
    governed_root: Path, applied: State, audit_records: list[dict[str, Any]]
) -> None:
    project, _ = load_project(governed_root)
    assert project is not None
    LocalFileBackend(project.state_path).write(applied)
    for record in audit_records:
        append_audit(project.work_dir / "audit.jsonl", record)
    report, diags = load_report(project, today=TODAY, generated_at=GENERATED_AT)
    assert report.models[0].applied_version == "1.1.0"
    assert [e.user for e in report.audit] == ["jane.doe", "ci-bot"]
    assert report.error_count == 2 and any(d.code == "MS401" for d in diags)


def test_load_report_without_state_or_log_shows_nothing_applied(governed_root: Path) -> None:
    project, _ = load_project(governed_root)
    assert project is not None
    report, _ = load_report(project, today=TODAY, generated_at=GENERATED_AT)
    assert report.audit == () and all(m.applied_version is None for m in report.models)
