"""The compliance report as one self-contained HTML page (inline CSS, no scripts, every value escaped)."""

from __future__ import annotations

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from modelspec.report.html_template import TEMPLATE
from modelspec.report.model import Report

__all__ = ["render_html"]


def render_html(report: Report) -> str:
    """The page; spec text is autoescaped, so a spec cannot inject markup."""
    env = SandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    return env.from_string(TEMPLATE).render(r=report)
