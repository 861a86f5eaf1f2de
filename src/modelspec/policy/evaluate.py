"""Judging the graph against its policies: rules -> findings, lifted by waivers, met by approvals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from modelspec.compile.graph import Graph, Resource
from modelspec.diagnostics import Diagnostic, Severity, Suppression
from modelspec.loading.documents import JsonPath
from modelspec.policy.conditions import (
    ConditionPath,
    ExprProblem,
    evaluate,
    split_field,
)
from modelspec.policy.english import describe
from modelspec.policy.findings import Finding, Outcome, PolicyReport
from modelspec.policy.signoffs import (
    Waiver,
    approve_hint,
    diagnostic_at,
    read_waivers,
    stale_message,
)

__all__ = ["condition_context", "evaluate_policies"]

_NAME_PATH: JsonPath = ("metadata", "name")


def condition_context(resource: Resource, graph: Graph) -> dict[str, Any]:
    """What a condition sees: the resource's document and, under refs, the documents it uses.

    A Model's refs hold its contract; a Deployment's its model, target and the
    model's contract.
    """
    refs = {role: dep.normalized for role, dep in graph.refs(resource).items()}
    document = resource.normalized
    return {
        "apiVersion": document.get("apiVersion"),
        "kind": resource.kind,
        "metadata": resource.metadata,
        "spec": resource.spec,
        "refs": refs,
    }


def evaluate_policies(graph: Graph, *, today: date, state: object | None = None) -> PolicyReport:
    """Every rule of every Policy on every resource it selects.

    today decides which waivers hold (a waiver holds through its `expires` day).
    state is accepted for rules about applied state; none reads it yet.
    """
    run = _Run(graph, today)
    for policy in graph.of_kind("Policy"):
        run.judge(policy)
    run.report_stale_approvals()
    return PolicyReport(findings=run.findings, diagnostics=run.diagnostics)


# ---------------------------------------------------------------- one run over the graph


@dataclass
class _Rule:
    """What a rule found on one resource, before waivers."""

    ok: bool
    message: str
    condition_text: str
    path: JsonPath = _NAME_PATH
    hint: str = ""
    approved_by: str | None = None


@dataclass
class _Run:
    graph: Graph
    today: date
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    waivers: dict[str, list[Waiver]] = field(default_factory=dict)  # by policy name
    approvals: dict[tuple[str, str], list[Resource]] = field(default_factory=dict)
    contexts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        waivers, diags = read_waivers(self.graph, self.today)
        self.diagnostics.extend(diags)
        for waiver in waivers:
            self.waivers.setdefault(waiver.policy, []).append(waiver)
        for approval in self.graph.of_kind("Approval"):
            key = (approval.spec["subject"], approval.spec["role"])
            self.approvals.setdefault(key, []).append(approval)

    def context(self, resource: Resource) -> dict[str, Any]:
        found = self.contexts.get(resource.address)
        if found is None:
            found = self.contexts[resource.address] = condition_context(resource, self.graph)
        return found

    def judge(self, policy: Resource) -> None:
        spec = policy.spec
        where = spec["applies_to"].get("where")
        where_path: JsonPath = ("spec", "applies_to", "where")
        if where is not None and not self._compiles(policy, where, where_path):
            return
        rules = [
            (i, rule)
            for i, rule in enumerate(spec["rules"])
            if "assert" not in rule
            or self._compiles(policy, rule["assert"], ("spec", "rules", i, "assert"))
        ]
        selected = sorted(
            (r for kind in spec["applies_to"]["kinds"] for r in self.graph.of_kind(kind)),
            key=lambda r: r.address,
        )
        for resource in selected:
            context = self.context(resource)
            if where is not None and not self._holds(policy, where, where_path, resource, context):
                continue
            for i, rule in rules:
                if "assert" in rule:
                    judged = self._assert(policy, i, rule, resource, context)
                else:
                    judged = self._approval(rule, resource)
                self._conclude(policy, rule["id"], resource, judged)

    def _compiles(self, policy: Resource, condition: Mapping[str, Any], base: JsonPath) -> bool:
        """Report each CEL expression of a condition that does not compile; True when none."""
        from modelspec.policy.cel import compile_error

        ok = True
        for at, expression in _expressions(condition, ()):
            error = compile_error(expression)
            if error is not None:
                ok = False
                self.diagnostics.append(
                    diagnostic_at(
                        policy,
                        "MS406",
                        f"policy {policy.name}: {error}",
                        (*base, *at),
                        Severity.ERROR,
                        hint="fix the expression; see https://github.com/google/cel-spec",
                    )
                )
        return ok

    def _holds(
        self,
        policy: Resource,
        condition: Mapping[str, Any],
        base: JsonPath,
        resource: Resource,
        context: Mapping[str, Any],
    ) -> bool:
        problems: list[ExprProblem] = []
        holds = evaluate(condition, context, problems=problems)
        for problem in problems:
            self.diagnostics.append(_expr_diagnostic(policy, resource, problem, (*base, *problem.path)))
        return holds

    def _assert(
        self,
        policy: Resource,
        index: int,
        rule: Mapping[str, Any],
        resource: Resource,
        context: Mapping[str, Any],
    ) -> _Rule:
        condition = rule["assert"]
        base: JsonPath = ("spec", "rules", index, "assert")
        text = describe(condition)
        if self._holds(policy, condition, base, resource, context):
            return _Rule(True, text, text)
        path = _offending_path(condition, context, _document_data(resource)) or _NAME_PATH
        message = rule.get("message") or f"not met: {text}"
        return _Rule(False, message, text, path, hint=f"the rule requires: {text}")

    def _approval(self, rule: Mapping[str, Any], resource: Resource) -> _Rule:
        role = rule["require_approval"]["role"]
        text = f"{resource.address} is approved by role {role} at its current digest"
        candidates = self.approvals.get((resource.address, role), [])
        fresh = [a for a in candidates if a.spec["digest"] == resource.digest]
        if fresh:
            latest = max(fresh, key=lambda a: (a.spec["date"], a.name))
            by = latest.spec["approved_by"]
            message = f"approved by {by} on {latest.spec['date']} as {role}"
            return _Rule(True, message, text, approved_by=by)
        base = rule.get("message") or f"needs an approval by role {role} of its current spec"
        stale = sorted(candidates, key=lambda a: (a.spec["date"], a.name))
        message = f"{base}; {stale_message(stale[-1])}" if stale else base
        return _Rule(False, message, text, hint=approve_hint(resource.address, role))

    def _conclude(self, policy: Resource, rule_id: str, resource: Resource, judged: _Rule) -> None:
        enforcement = policy.spec["enforcement"]
        finding = Finding(
            policy=policy.name,
            rule=rule_id,
            resource=resource.address,
            enforcement=enforcement,
            outcome="pass",
            message=judged.message,
            condition_text=judged.condition_text,
            approved_by=judged.approved_by,
        )
        if judged.ok:
            self.findings.append(finding)
            return
        waivers = [
            w
            for w in self.waivers.get(policy.name, [])
            if w.covers(policy.name, rule_id, resource.address)
        ]
        active = [w for w in waivers if w.status == "active"]
        outcome: Outcome = "fail"
        message = judged.message
        waiver = None
        if active:
            waiver = max(active, key=lambda w: (w.expires, w.name))
            outcome = "waived"
        elif waivers:
            waiver = max(waivers, key=lambda w: (w.expires, w.name))
            why = (
                f"expired on {waiver.expires}"
                if waiver.status == "expired"
                else "cannot lift a hard-mandatory policy"
            )
            message = f"{message}; waiver {waiver.name} {why}"
        finding = _with_waiver(finding, outcome, message, waiver)
        text = finding.line
        severity = Severity.WARNING if enforcement == "advisory" else Severity.ERROR
        if waiver is not None and outcome == "waived":
            text += (
                f"; waived by {waiver.name} until {waiver.expires}, approved by "
                f"{waiver.approved_by}: {waiver.justification.strip()}"
            )
            severity = Severity.NOTE
        diagnostic = diagnostic_at(resource, "MS401", text, judged.path, severity, hint=judged.hint)
        if waiver is not None and outcome == "waived":
            suppression = Suppression(
                justification=finding.justification or "",
                approved_by=waiver.approved_by,
                expires=waiver.expires,
                source=f"waiver.{waiver.name}",
            )
            diagnostic = replace(diagnostic, suppression=suppression)
        self.findings.append(replace(finding, diagnostic=diagnostic))
        self.diagnostics.append(diagnostic)

    def report_stale_approvals(self) -> None:
        for approval in self.graph.of_kind("Approval"):
            spec = approval.spec
            subject = self.graph.get(spec["subject"])
            if subject is None or spec["digest"] == subject.digest:
                continue
            self.diagnostics.append(
                diagnostic_at(
                    approval,
                    "MS405",
                    f"approval {approval.name} ({spec['role']}) counts for nothing: "
                    f"{stale_message(approval)}",
                    ("spec", "digest"),
                    Severity.WARNING,
                    hint=approve_hint(spec["subject"], spec["role"]),
                )
            )


# ---------------------------------------------------------------- small pieces


def _with_waiver(
    finding: Finding, outcome: Outcome, message: str, waiver: Waiver | None
) -> Finding:
    if waiver is None:
        return replace(finding, outcome=outcome, message=message)
    return replace(
        finding,
        outcome=outcome,
        message=message,
        waiver=waiver.name,
        justification=" ".join(waiver.justification.split()),
        approved_by=waiver.approved_by,
        expires=waiver.expires,
    )


def _expr_diagnostic(
    policy: Resource, resource: Resource, problem: ExprProblem, path: JsonPath
) -> Diagnostic:
    """A CEL expression that gave no value on a resource: a warning, an error when out of budget.

    Running out of steps is not a missing field to guard against: the expression
    (or the data it walks) is too big, and a condition that silently counted as
    false could switch a policy off, so it stops validate.
    """
    if problem.over_budget:
        return diagnostic_at(
            policy,
            "MS406",
            f"policy {policy.name}: on {resource.address}, {problem.message}",
            path,
            Severity.ERROR,
            hint="nest fewer macros (all, exists, map, filter): one over n items inside another "
            "over m costs n x m steps",
        )
    return diagnostic_at(
        policy,
        "MS406",
        f"policy {policy.name}: the CEL expression failed on {resource.address} "
        f"({problem.message}); the condition counts as false",
        path,
        Severity.WARNING,
        hint="guard optional fields with has(...)",
    )


def _expressions(
    condition: Mapping[str, Any], at: ConditionPath
) -> Iterator[tuple[ConditionPath, str]]:
    if "expr" in condition:
        yield (*at, "expr"), condition["expr"]
    for key in ("all", "any"):
        for i, sub in enumerate(condition.get(key) or []):
            yield from _expressions(sub, (*at, key, i))
    if "not" in condition:
        yield from _expressions(condition["not"], (*at, "not"))


def _document_data(resource: Resource) -> Any:
    return resource.document.data if resource.document is not None else resource.normalized


def _offending_path(
    condition: Mapping[str, Any], context: Mapping[str, Any], data: Any
) -> JsonPath | None:
    """The field written in the resource's file that makes a condition fail, when there is one."""
    if "field" in condition:
        path = split_field(condition["field"])
        return path if path[0] in ("metadata", "spec") and _written(data, path) else None
    if "all" in condition:
        failing = [sub for sub in condition["all"] if not evaluate(sub, context)]
        return next((p for sub in failing if (p := _offending_path(sub, context, data))), None)
    if "any" in condition:
        return next(
            (p for sub in condition["any"] if (p := _offending_path(sub, context, data))), None
        )
    return None


def _written(data: Any, path: JsonPath) -> bool:
    """Whether the path exists in the document as written (even with an empty value)."""
    value = data
    for part in path:
        if isinstance(value, dict) and str(part) in value:
            value = value[str(part)]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return False
    return True
