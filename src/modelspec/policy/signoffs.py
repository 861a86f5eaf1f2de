"""Waivers and approvals as policies read them: a waiver's standing on a day, an approval's freshness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph, Resource
from modelspec.diagnostics import Diagnostic, Severity
from modelspec.loading.documents import JsonPath

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "Waiver",
    "WaiverStatus",
    "approve_hint",
    "diagnostic_at",
    "read_waivers",
    "stale_message",
]

EXPIRY_WARNING_DAYS = 14

WaiverStatus = Literal["active", "expired", "invalid"]


@dataclass(frozen=True, slots=True)
class Waiver:
    name: str
    policy: str
    rule: str | None
    resources: frozenset[str]
    justification: str
    approved_by: str
    expires: str
    status: WaiverStatus

    def covers(self, policy: str, rule: str, address: str) -> bool:
        return (
            self.policy == policy
            and (self.rule is None or self.rule == rule)
            and address in self.resources
        )


def read_waivers(graph: Graph, today: date) -> tuple[list[Waiver], list[Diagnostic]]:
    waivers: list[Waiver] = []
    diags: list[Diagnostic] = []
    for resource in graph.of_kind("Waiver"):
        spec = resource.spec
        policy = graph.get(Address.of("Policy", spec["policy"]))
        expires = date.fromisoformat(spec["expires"])
        status: WaiverStatus = "active"
        if policy is not None and policy.spec.get("enforcement") == "hard-mandatory":
            status = "invalid"
            diags.append(
                diagnostic_at(
                    resource,
                    "MS402",
                    f"waiver {resource.name} cannot lift policy {policy.name}: it is "
                    "hard-mandatory, so the waiver lifts nothing",
                    ("spec", "policy"),
                    Severity.ERROR,
                    hint="fix what the policy finds, or ask its owner to make it soft-mandatory",
                )
            )
        elif expires < today:
            status = "expired"
            diags.append(
                diagnostic_at(
                    resource,
                    "MS403",
                    f"waiver {resource.name} expired on {spec['expires']} and lifts nothing",
                    ("spec", "expires"),
                    Severity.WARNING,
                    hint="fix what it waived, or renew it with a later `expires` if it still applies",
                )
            )
        elif expires <= today + timedelta(days=EXPIRY_WARNING_DAYS):
            days = (expires - today).days
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            diags.append(
                diagnostic_at(
                    resource,
                    "MS404",
                    f"waiver {resource.name} expires {when} ({spec['expires']})",
                    ("spec", "expires"),
                    Severity.WARNING,
                    hint="fix what it waives before then, or renew it",
                )
            )
        waivers.append(
            Waiver(
                name=resource.name,
                policy=spec["policy"],
                rule=spec.get("rule"),
                resources=frozenset(spec.get("resources", [])),
                justification=spec["justification"],
                approved_by=spec["approved_by"],
                expires=spec["expires"],
                status=status,
            )
        )
    return waivers, diags


def stale_message(approval: Resource) -> str:
    spec = approval.spec
    return (
        f"approval by {spec['approved_by']} on {spec['date']} is stale: "
        f"{spec['subject']} changed since"
    )


def approve_hint(address: str, role: str) -> str:
    return f"after review, run `modelspec approve {address} --role {role} --by NAME`"


def diagnostic_at(
    resource: Resource,
    code: str,
    message: str,
    path: JsonPath,
    severity: Severity,
    *,
    hint: str = "",
) -> Diagnostic:
    """A diagnostic at a path of the resource's document (no position for a built resource)."""
    if resource.document is None:
        return Diagnostic(severity, code, message, hint=hint)
    return resource.document.diagnostic(code, message, path, hint=hint, severity=severity)
