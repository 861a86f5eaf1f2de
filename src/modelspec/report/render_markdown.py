"""The compliance report as Markdown, for a pull request or a wiki; every spec value is escaped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from modelspec import markdown
from modelspec.report.model import ModelRow, PolicyRow, Report, ResultRow
from modelspec.safetext import inert_lines

__all__ = ["escape", "render_markdown"]


def escape(text: object) -> str:
    """text that Markdown shows as written, on one line, safe inside a table cell (see modelspec.markdown)."""
    return markdown.text(str(text))


def render_markdown(report: Report) -> str:
    lines: list[str] = [
        f"# Compliance report: {escape(report.project)}",
        "",
        f"Generated {escape(report.generated_at)}. "
        f"Waiver expiry is counted from {escape(report.today)}.",
        "",
    ]
    if report.error_count:
        lines += [
            f"> **The specs have {report.error_count} error(s).** Findings that block plan and "
            "apply are marked FAIL below; run `modelspec validate` for every detail.",
            "",
        ]
    o = report.outcomes
    stale = sum(1 for a in report.approvals if a.status != "fresh")
    lines += [
        f"{len(report.models)} models, {len(report.policies)} policies; rule checks: "
        f"{o.get('pass', 0)} PASS, {o.get('fail', 0)} FAIL, {o.get('waived', 0)} WAIVED; "
        f"{stale} stale approval(s).",
        "",
        "## Model inventory",
        "",
    ]
    lines += _table(
        ["Model", "Owner", "Version", "Risk tier", "Intended use", "Human oversight", "Deployed to"],
        (_inventory_row(m) for m in report.models),
    )
    for m in report.models:
        lines += _model(m)
    lines += ["", "## Policies"]
    for p in report.policies:
        lines += _policy(p)
    lines += ["", "## Waivers", ""]
    lines += _table(
        ["Waiver", "Policy / rule", "Resources", "Approved by", "Expires", "Days to expiry",
         "Status", "Justification"],
        (
            [w.name, f"{w.policy} / {w.rule}", ", ".join(w.resources), w.approved_by, w.expires,
             str(w.days_left) if w.days_left >= 0 else f"expired {-w.days_left} days ago",
             w.status.upper(), w.justification]
            for w in report.waivers
        ),
        empty="No waivers.",
    )
    lines += ["", "## Approvals", ""]
    lines += _table(
        ["Subject", "Role", "Approved by", "Date", "Status"],
        ([a.subject, a.role, a.approved_by, a.date, a.status.upper()] for a in report.approvals),
        empty="No approvals.",
    )
    lines += ["", "## Audit history", ""]
    lines += _table(
        ["Time (UTC)", "User", "Command", "Result", "Changes", "Overrides", "Commit"],
        (
            [e.time, e.user, e.command, e.status.upper(), e.summary,
             "; ".join(e.overrides) or "none", e.git_commit]
            for e in report.audit
        ),
        empty="Nothing has been applied yet.",
    )
    return inert_lines("\n".join(lines).rstrip("\n") + "\n")


def _inventory_row(m: ModelRow) -> list[str]:
    version = m.version if m.applied_version else f"{m.version} (not applied yet)"
    if m.applied_version and m.applied_version != m.version:
        version = f"{m.version} (applied: {m.applied_version})"
    deployed = "; ".join(
        f"{d.target}{' (protected)' if d.protected else ''}: "
        + (f"version {d.applied_version}" if d.applied_version else "not applied yet")
        for d in m.deployments
    )
    tier = m.risk_tier + (", personal data" if m.personal_data else "")
    return [m.name, m.owner, version, tier, m.intended_use or "not documented",
            m.human_oversight or "not documented", deployed or "not deployed"]


def _model(m: ModelRow) -> list[str]:
    lines = ["", f"### Model {escape(m.name)} {escape(m.version)}, risk tier {escape(m.risk_tier)}", ""]
    lines += ["Rules that apply:", ""]
    lines += _results(m.results, by_model=True, empty="No policy selects this model or its deployments.")
    lines += ["", "Approvals:", ""]
    if m.approvals:
        lines += [
            f"- **{a.status.upper()}**: {escape(a.role)} approval by {escape(a.approved_by)} "
            f"on {escape(a.date)}"
            + (": the model changed since, so it counts for nothing" if a.status == "stale" else "")
            for a in m.approvals
        ]
    else:
        lines.append("No approvals.")
    if m.annex:
        lines += ["", "EU AI Act Annex IV technical documentation:", ""]
        lines += _table(
            ["Documentation", "Annex IV point", "Status", "From the specs"],
            (
                [i.topic, i.annex_point, "DOCUMENTED" if i.documented else "MISSING", i.detail]
                for i in m.annex
            ),
        )
    return lines


def _policy(p: PolicyRow) -> list[str]:
    lines = [
        "",
        f"### {escape(p.name)}",
        "",
        f"**{escape(p.enforcement)}**, owned by {escape(p.owner)}. {escape(p.description)}",
        "",
        f"Applies to {escape(p.scope)}. It requires:",
        "",
    ]
    lines += [f"- {markdown.code(rule_id, in_table=False)}: {escape(text)}" for rule_id, text in p.rules]
    lines.append("")
    lines += _results(p.results, by_model=False, empty="It selects no resource.")
    return lines


def _results(rows: Sequence[ResultRow], *, by_model: bool, empty: str) -> list[str]:
    head = ["Policy / rule", "Resource"] if by_model else ["Resource", "Rule"]
    return _table(
        [*head, "Enforcement", "Outcome", "Detail"],
        (
            [
                *([f"{r.policy} / {r.rule}", r.resource] if by_model else [r.resource, r.rule]),
                r.enforcement,
                r.outcome.upper(),
                r.detail
                + (
                    f"; waived by {r.waiver}, approved by {r.approved_by} until {r.expires}: "
                    f"{r.justification}"
                    if r.outcome == "waived"
                    else ""
                ),
            ]
            for r in rows
        ),
        empty=empty,
    )


def _table(head: list[str], rows: Iterable[list[str]], empty: str = "None.") -> list[str]:
    body = [f"| {' | '.join(escape(cell) for cell in row)} |" for row in rows]
    if not body:
        return [empty]
    return [f"| {' | '.join(head)} |", f"|{'---|' * len(head)}", *body]
