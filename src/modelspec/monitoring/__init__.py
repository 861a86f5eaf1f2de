"""Monitoring a deployment: drift of current data against its build's reference, and performance."""

from __future__ import annotations

from modelspec.formats import Formats

__all__ = ["FORMATS"]

# `modelspec monitor --format`: each renderer takes a MonitorReport and returns the whole output.
FORMATS = Formats(
    "monitor",
    {
        "text": "modelspec.monitoring.monitor:render_text",
        "json": "modelspec.monitoring.monitor:render_json",
        "html": "modelspec.monitoring.monitor:render_html",
    },
)
