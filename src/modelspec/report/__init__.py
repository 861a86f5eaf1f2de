"""The compliance report: what rules apply to each model, which pass, which are waived, and the history."""

from __future__ import annotations

from modelspec.report.annex import AnnexItem, annex_iv
from modelspec.report.model import Report, build_report, load_report
from modelspec.report.render_html import render_html
from modelspec.report.render_markdown import render_markdown

__all__ = [
    "AnnexItem",
    "Report",
    "annex_iv",
    "build_report",
    "load_report",
    "render_html",
    "render_markdown",
]
