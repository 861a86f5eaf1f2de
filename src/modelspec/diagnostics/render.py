"""Picks a diagnostics output format by name and renders a list of diagnostics with it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from modelspec import __version__
from modelspec.diagnostics import Diagnostic, sort_key
from modelspec.formats import Formats

__all__ = ["FORMATS", "RenderContext", "Renderer", "render", "visible"]

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
    # absolute URI of the project root (ending in "/"), for SARIF's %SRCROOT%; "" when unknown
    base_uri: str = ""


Renderer = Callable[[Sequence[Diagnostic], RenderContext], str]


def render(fmt: str, diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
    """Render diagnostics in the named format, in sort_key order.

    The result ends with a newline (or is a complete XML/JSON document followed
    by one). An unknown format name is an UnknownFormat error naming the formats.
    """
    renderer: Renderer = FORMATS.renderer(fmt)
    return renderer(sorted(diagnostics, key=sort_key), ctx)


def _visible_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0:
        return f"\\x{code:02x}"
    if 0xD800 <= code < 0xE000 or code in (0xFFFE, 0xFFFF):
        return f"\\u{code:04x}"
    return ch


def visible(text: str, keep: str = "\t\n") -> str:
    """text with control characters (other than those in keep) shown as \\xNN escapes.

    Spec files are user input: a raw ESC or BEL must not reach a terminal, and
    XML 1.0 cannot carry most control characters at all.
    """
    if text.isprintable():  # the common case: nothing to escape
        return text
    return "".join(ch if ch in keep else _visible_char(ch) for ch in text)
