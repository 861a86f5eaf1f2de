"""Spec changes over git history: semantic diffs and the semver rules of data contracts."""

from __future__ import annotations

from modelspec.formats import Formats

__all__ = ["FORMATS"]

# `modelspec diff --format`: each renderer takes a DiffReport and returns the whole output.
FORMATS = Formats(
    "diff",
    {
        "text": "modelspec.contracts.render_text:render",
        "markdown": "modelspec.contracts.render_markdown:render",
        "json": "modelspec.contracts.render_json:render",
    },
)
