"""The compliance report: what rules apply to each model, which pass, which are waived, and the history."""

from __future__ import annotations

from modelspec.formats import Formats
from modelspec.report.annex import AnnexItem, annex_iv
from modelspec.report.model import Report, build_report
from modelspec.report.render_html import render_html
from modelspec.report.render_markdown import render_markdown

__all__ = [
    "FORMATS",
    "AnnexItem",
    "Report",
    "annex_iv",
    "build_report",
    "render_html",
    "render_markdown",
]

# `modelspec report --format`: each renderer takes a Report and returns the whole document.
FORMATS = Formats(
    "report",
    {
        "html": "modelspec.report.render_html:render_html",
        "markdown": "modelspec.report.render_markdown:render_markdown",
    },
)
