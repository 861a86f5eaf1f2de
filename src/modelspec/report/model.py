"""The compliance report as data: models, policies per resource, waivers, approvals, audit history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph, Resource
from modelspec.compile.roles import Role
from modelspec.compile.views import DeploymentView, ModelView, Refs
from modelspec.diagnostics import Diagnostic, error_count, warning_count
from modelspec.policy import Finding, PolicyReport, describe
from modelspec.policy.signoffs import EXPIRY_WARNING_DAYS
from modelspec.report.annex import AnnexItem, annex_iv
from modelspec.state import State

__all__ = [
    "ApprovalRow",
    "AuditRow",
    "DeploymentRow",
    "ModelRow",
    "PolicyRow",
    "Report",
    "ResultRow",
    "WaiverRow",
    "build_report",
]


@dataclass(frozen=True, slots=True)
class DeploymentRow:
    name: str
    target: str
    protected: bool
    mode: str
    version: str  # the model version the specs deploy
    applied_version: str | None  # what the state records; None when not applied yet


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One rule's outcome on one resource: pass, fail or waived, with what explains it."""

    policy: str
    rule: str
    resource: str
    enforcement: str
    outcome: str
    detail: str
    waiver: str | None = None  # the waiver that lifts it, when waived
    approved_by: str | None = None  # the waiver's approver
    expires: str | None = None
    justification: str | None = None


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    name: str
    subject: str
    role: str
    approved_by: str
    date: str
    status: str  # fresh | stale | subject missing


@dataclass(frozen=True, slots=True)
class ModelRow:
    name: str
    address: str
    owner: str
    version: str
    applied_version: str | None
    risk_tier: str
    personal_data: bool
    intended_use: str
    human_oversight: str
    deployments: tuple[DeploymentRow, ...]
    results: tuple[ResultRow, ...]  # on the model and on its deployments
    approvals: tuple[ApprovalRow, ...]
    annex: tuple[AnnexItem, ...]  # empty unless the model is high-risk


@dataclass(frozen=True, slots=True)
class PolicyRow:
    name: str
    owner: str
    description: str
    enforcement: str
    scope: str  # which resources it judges, in English
    rules: tuple[tuple[str, str], ...]  # (rule id, what it requires in English)
    results: tuple[ResultRow, ...]


@dataclass(frozen=True, slots=True)
class WaiverRow:
    name: str
    policy: str
    rule: str
    resources: tuple[str, ...]
    justification: str
    approved_by: str
    expires: str
    days_left: int  # negative once expired
    status: str  # active | expires soon | expired | invalid


@dataclass(frozen=True, slots=True)
class AuditRow:
    time: str
    user: str
    command: str
    status: str
    summary: str
    git_commit: str
    overrides: tuple[str, ...]  # "POLICY by USER: reason"


@dataclass(frozen=True)
class Report:
    project: str
    generated_at: str
    today: str
    models: tuple[ModelRow, ...]
    policies: tuple[PolicyRow, ...]
    waivers: tuple[WaiverRow, ...]
    approvals: tuple[ApprovalRow, ...]
    audit: tuple[AuditRow, ...]  # newest first
    error_count: int = 0
    warning_count: int = 0
    outcomes: Mapping[str, int] = field(default_factory=dict)  # pass / fail / waived -> count


def build_report(
    graph: Graph,
    policy: PolicyReport,
    state: State,
    audit: Sequence[Mapping[str, Any]],
    *,
    project: str,
    today: date,
    generated_at: datetime,
    diagnostics: Sequence[Diagnostic] = (),
) -> Report:
    """The report's data (pure): same inputs, same report."""
    results = [_result(f) for f in policy.findings]
    approvals = tuple(_approval(a, graph) for a in _sorted(graph.of_kind("Approval")))
    outcomes = {o: sum(1 for r in results if r.outcome == o) for o in ("pass", "fail", "waived")}
    return Report(
        project=project,
        generated_at=generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        today=today.isoformat(),
        models=tuple(_model(m, graph, state, results, approvals) for m in _sorted(graph.of_kind("Model"))),
        policies=tuple(_policy(p, results) for p in _sorted(graph.of_kind("Policy"))),
        waivers=tuple(_waiver(w, graph, today) for w in _sorted(graph.of_kind("Waiver"))),
        approvals=approvals,
        audit=tuple(_audit(r) for r in reversed(audit)),
        error_count=error_count(diagnostics),
        warning_count=warning_count(diagnostics),
        outcomes=outcomes,
    )


def _sorted(resources: list[Resource]) -> list[Resource]:
    return sorted(resources, key=lambda r: r.name)


def _words(value: Any) -> str:
    return " ".join(str(value).split()) if value not in (None, "") else ""


def _result(f: Finding) -> ResultRow:
    waived = f.outcome == "waived"
    return ResultRow(
        f.policy, f.rule, f.resource, f.enforcement, f.outcome, _words(f.message),
        f.waiver if waived else None,
        f.approved_by if waived else None,
        f.expires if waived else None,
        _words(f.justification) if waived else None,
    )


def _model(
    model: Resource,
    graph: Graph,
    state: State,
    results: list[ResultRow],
    approvals: tuple[ApprovalRow, ...],
) -> ModelRow:
    view = ModelView(model)
    card, risk = view.card, view.risk
    deployments = _sorted(
        [d for d in graph.of_kind("Deployment") if Refs.of(graph, d).get(Role.MODEL) is model]
    )
    addresses = {model.address, *(d.address for d in deployments)}
    applied = state.resources.get(model.address)
    tier = str(risk.get("tier", "unspecified"))
    return ModelRow(
        name=model.name,
        address=model.address,
        owner=str(model.metadata.get("owner", "")),
        version=view.version or "",
        applied_version=_text_or_none(applied.outputs.get("version") if applied else None),
        risk_tier=tier,
        personal_data=bool(risk.get("personal_data", False)),
        intended_use=_words(card.get("intended_use")),
        human_oversight=_words(card.get("human_oversight")),
        deployments=tuple(_deployment(d, graph, state, model) for d in deployments),
        results=tuple(r for r in results if r.resource in addresses),
        approvals=tuple(a for a in approvals if a.subject == model.address),
        annex=tuple(annex_iv(model, graph, deployments)) if tier == "high" else (),
    )


def _deployment(d: Resource, graph: Graph, state: State, model: Resource) -> DeploymentRow:
    target, view = Refs.of(graph, d).target, DeploymentView(d)
    applied = state.resources.get(d.address)
    return DeploymentRow(
        name=d.name,
        target=view.target,
        protected=target.protected if target is not None else False,
        mode=view.mode,
        version=ModelView(model).version or "",
        applied_version=_text_or_none(applied.outputs.get("model_version") if applied else None),
    )


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _policy(p: Resource, results: list[ResultRow]) -> PolicyRow:
    spec = p.spec
    applies = spec.get("applies_to") or {}
    kinds = " and ".join(applies.get("kinds") or [])
    where = applies.get("where")
    scope = f"every {kinds} where {describe(where)}" if where else f"every {kinds}"
    rules = tuple(
        (
            str(rule["id"]),
            describe(rule["assert"])
            if "assert" in rule
            else f"approved by role {rule['require_approval']['role']} at its current spec digest",
        )
        for rule in spec.get("rules") or []
    )
    return PolicyRow(
        name=p.name,
        owner=str(p.metadata.get("owner", "")),
        description=_words(spec.get("description")),
        enforcement=str(spec.get("enforcement", "")),
        scope=scope,
        rules=rules,
        results=tuple(r for r in results if r.policy == p.name),
    )


def _waiver(w: Resource, graph: Graph, today: date) -> WaiverRow:
    spec = w.spec
    expires = str(spec["expires"])
    days = (date.fromisoformat(expires) - today).days
    policy = graph.get(Address.of("Policy", spec["policy"]))
    if policy is not None and policy.spec.get("enforcement") == "hard-mandatory":
        status = "invalid"
    elif days < 0:
        status = "expired"
    elif days <= EXPIRY_WARNING_DAYS:
        status = "expires soon"
    else:
        status = "active"
    return WaiverRow(
        name=w.name,
        policy=str(spec["policy"]),
        rule=str(spec.get("rule") or "every rule"),
        resources=tuple(spec.get("resources") or ()),
        justification=_words(spec.get("justification")),
        approved_by=str(spec.get("approved_by", "")),
        expires=expires,
        days_left=days,
        status=status,
    )


def _approval(a: Resource, graph: Graph) -> ApprovalRow:
    spec = a.spec
    subject = graph.get(str(spec["subject"]))
    if subject is None:
        status = "subject missing"
    else:
        status = "fresh" if spec["digest"] == subject.digest else "stale"
    return ApprovalRow(
        name=a.name,
        subject=str(spec["subject"]),
        role=str(spec["role"]),
        approved_by=str(spec["approved_by"]),
        date=str(spec["date"]),
        status=status,
    )


def _audit(record: Mapping[str, Any]) -> AuditRow:
    summary = record.get("summary")
    if isinstance(summary, Mapping):
        text = ", ".join(f"{k.replace('_', '-')} {v}" for k, v in summary.items() if v)
    else:
        text = _words(summary)
    overrides = tuple(
        f"{o.get('policy')} by {o.get('user')}: {o.get('reason')}"
        for o in record.get("overrides") or []
        if isinstance(o, Mapping)
    )
    commit = record.get("git_commit")
    return AuditRow(
        time=str(record.get("time", "")),
        user=str(record.get("user", "")),
        command=str(record.get("command", "")),
        status=str(record.get("status", "")),
        summary=text or "no changes",
        git_commit=str(commit)[:12] if commit else "",
        overrides=overrides,
    )
