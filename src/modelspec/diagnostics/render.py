"""Picks a diagnostics output format by name and renders a list of diagnostics with it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from modelspec import __version__
from modelspec.diagnostics import Diagnostic, sort_key
from modelspec.formats import Formats
from modelspec.safetext import inert_lines, one_line, visible

# inert_lines, one_line and visible (from modelspec.safetext) are here too, for cli/, which
# reaches the rest of modelspec only through operations and diagnostics.
__all__ = ["FORMATS", "RenderContext", "Renderer", "inert_lines", "one_line", "render", "visible"]

# Each renderer is `render(diagnostics, ctx) -> str`, imported on first use, so
# `validate` with the default text format never loads xml.etree or the SARIF rules.
FORMATS = Formats(
    "diagnostics",
    {
        "text": "modelspec.diagnostics.text:render",
        "json": "modelspec.diagnostics.json_format:render",
        "sarif": "modelspec.diagnostics.sarif:render",
        "github": "modelspec.diagnostics.github:render",
        "junit": "modelspec.diagnostics.junit:render",
    },
)


def _no_source(file: str, line: int) -> str:
    return ""


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may know beyond the diagnostics themselves."""

    color: bool = False
    tool_version: str = __version__
    # text of a 1-based line of a spec file, "" when unknown
    source_line: Callable[[str, int], str] = _no_source
    files_checked: int = 0
    # the project root relative to the repository root ("ml" for ml/modelspec.yaml; "" at the
    # top or outside git): sarif and github name files from the repository root, as GitHub does
    repository_path: str = ""


Renderer = Callable[[Sequence[Diagnostic], RenderContext], str]


def render(fmt: str, diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
    """Render diagnostics in the named format, in sort_key order.

    The result ends with a newline (or is a complete XML/JSON document followed
    by one). An unknown format name is an UnknownFormat error naming the formats.
    """
    renderer: Renderer = FORMATS.renderer(fmt)
    return renderer(sorted(diagnostics, key=sort_key), ctx)
