"""The report rendered: HTML (one self-contained, escaped page) and Markdown (escaped tables)."""

from __future__ import annotations

import re
from collections.abc import Callable

from modelspec.report import Report, render_html, render_markdown
from modelspec.report.render_markdown import escape


def test_html_is_one_self_contained_page(report: Report) -> None:
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    tags = set(re.findall(r"<([a-z0-9]+)[\s>]", html))
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "url(" not in html and "@import" not in html
    assert "@media print" in html
    assert html.count("<table>") == html.count("</table>") >= 6
    assert "<th scope=\"col\">Outcome</th>" in html


def test_html_escapes_every_spec_value(report: Report) -> None:
    html = render_html(report)
    assert "<b>pathology</b>" not in html
    assert "Order the &lt;b&gt;pathology&lt;/b&gt; worklist | by risk." in html


def test_html_shows_inventory_policies_waivers_approvals_audit_and_annex(
    report: Report, visible: Callable[[str], str]
) -> None:
    text = visible(render_html(report))
    for expected in [
        "Compliance report: oncology",
        "Generated 2026-11-27 09:30 UTC. Waiver expiry is counted from 2026-11-27.",
        # inventory: owner, version (and what is applied), risk tier, intended use, deployments
        "biopsy oncology-ml 1.2.0 applied: 1.1.0 high personal data",
        "prod (protected): version 1.1.0",
        "triage ops-ml 0.3.0 not applied yet minimal",
        # each policy in English, with an outcome per resource
        "Applies to every Deployment where refs.target.spec.protected is true.",
        "canary-or-shadow : spec.rollout.strategy is one of canary, shadow",
        "deployment.biopsy-prod two-replicas soft-mandatory waived",
        "deployment.triage-prod canary-or-shadow soft-mandatory pass",
        "model.biopsy oversight-documented hard-mandatory fail",
        "approved by dr.okafor until 2027-01-06: Low volume; the worklist falls back",
        # waivers: approver and days to expiry
        "biopsy-one-replica gradual-rollout / two-replicas deployment.biopsy-prod dr.okafor 2027-01-06 40 active",
        "expired 7 days ago expired",
        "2026-12-02 5 expires soon",
        # approvals fresh and stale
        "model.biopsy compliance ines.marchetti 2026-11-20 fresh",
        "model.triage clinical-lead sam.lead 2026-10-01 stale",
        # audit history
        "2026-11-26T16:20:00Z jane.doe apply ok update 1, no-op 4 gradual-rollout by jane.doe: hotfix for incident 42",
        # Annex IV checklist
        "EU AI Act Annex IV technical documentation",
        "Human oversight 2(e), 3 missing missing: write spec.card.human_oversight",
        "Accuracy metrics and thresholds 2(g), 4 documented roc_auc at least 0.9",
    ]:
        assert expected in text, expected
    assert "1 stale approvals" in text
    assert "The specs have 2 errors." in text


def test_status_words_carry_the_meaning_not_only_colour(report: Report) -> None:
    html = render_html(report)
    for word in ("pass", "fail", "waived", "fresh", "stale", "documented", "missing"):
        assert f'<span class="status status-{word}">{word}</span>' in html
    assert '<span class="status status-expires-soon">expires soon</span>' in html


def test_markdown_has_every_section_and_outcome(report: Report) -> None:
    md = render_markdown(report)
    for expected in [
        "# Compliance report: oncology",
        "| biopsy | oncology-ml | 1.2.0 (applied: 1.1.0) | high, personal data |",
        "prod (protected): version 1.1.0 |",
        "## Policies",
        "Applies to every Deployment where refs.target.spec.protected is true. It requires:",
        "| deployment.biopsy-prod | two-replicas | soft-mandatory | WAIVED | not met: spec.replicas.min "
        "is at least 2; waived by biopsy-one-replica, approved by dr.okafor until 2027-01-06: "
        "Low volume; the worklist falls back to arrival order. |",
        "| model.biopsy | oversight-documented | hard-mandatory | FAIL |",
        "| biopsy-one-replica | gradual-rollout / two-replicas | deployment.biopsy-prod | dr.okafor "
        "| 2027-01-06 | 40 | ACTIVE |",
        "| 2026-11-20 | expired 7 days ago | EXPIRED |",
        "| model.triage | clinical-lead | sam.lead | 2026-10-01 | STALE |",
        "| 2026-11-26T16:20:00Z | jane.doe | apply | OK | update 1, no-op 4 | gradual-rollout by "
        "jane.doe: hotfix for incident 42 |  |",
        "| Human oversight | 2(e), 3 | MISSING | missing: write spec.card.human\\_oversight |",
        "- **STALE**: clinical-lead approval by sam.lead on 2026-10-01",
    ]:
        assert expected in md, expected
    assert md.endswith("\n") and not md.endswith("\n\n")


def test_markdown_escapes_spec_values_in_tables(report: Report) -> None:
    md = render_markdown(report)
    # entities, not backslashes: Python-Markdown (MkDocs, a wiki) has no backslash escape for <
    assert "Order the &lt;b&gt;pathology&lt;/b&gt; worklist \\| by risk." in md
    assert "<b>" not in md
    tables: list[list[int]] = [[]]
    for line in md.splitlines():
        if line.startswith("|"):
            tables[-1].append(len(re.findall(r"(?<!\\)\|", line)))
        elif tables[-1]:
            tables.append([])
    tables = [t for t in tables if t]
    assert len(tables) >= 8
    for pipes in tables:  # a spec value never adds or removes a column
        assert len(set(pipes)) == 1, pipes


def test_escape_keeps_text_on_one_line() -> None:
    assert escape("a | b\nc `d` *e* [f](g) <h> & ~i~ \\") == (
        "a \\| b c \\`d\\` \\*e\\* \\[f\\](g) &lt;h&gt; &amp; \\~i\\~ \\\\"
    )


def test_rendering_is_deterministic(report: Report) -> None:
    assert render_html(report) == render_html(report)
    assert render_markdown(report) == render_markdown(report)
