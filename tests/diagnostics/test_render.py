"""render(): picking a format by name, ordering, and the shared RenderContext."""

from __future__ import annotations

import random

import pytest

from modelspec import __version__
from modelspec.diagnostics import Diagnostic, sort_key
from modelspec.diagnostics.render import FORMATS, RenderContext, render, visible
from modelspec.formats import UnknownFormat


def test_formats_are_the_published_names() -> None:
    assert FORMATS.names == ("text", "json", "sarif", "github", "junit")


def test_unknown_format_is_an_error_naming_the_formats() -> None:
    with pytest.raises(UnknownFormat, match="yaml"):
        render("yaml", [], RenderContext())


def test_context_defaults() -> None:
    ctx = RenderContext()
    assert ctx.color is False
    assert ctx.tool_version == __version__
    assert ctx.source_line("specs/x.yaml", 1) == ""
    assert ctx.files_checked == 0
    assert ctx.repository_path == ""


@pytest.mark.parametrize("fmt", FORMATS.names)
def test_output_does_not_depend_on_input_order(fmt: str, nasty: list[Diagnostic]) -> None:
    ctx = RenderContext(files_checked=3)
    shuffled = list(nasty)
    random.Random(4).shuffle(shuffled)
    assert shuffled != sorted(nasty, key=sort_key)
    assert render(fmt, shuffled, ctx) == render(fmt, sorted(nasty, key=sort_key), ctx)


@pytest.mark.parametrize("fmt", FORMATS.names)
def test_output_ends_with_a_newline(fmt: str, nasty: list[Diagnostic]) -> None:
    assert render(fmt, nasty, RenderContext()).endswith("\n")


def test_github_output_is_empty_without_diagnostics() -> None:
    assert render("github", [], RenderContext()) == ""


def test_visible_escapes_control_characters_but_keeps_layout() -> None:
    assert visible("a\x1b[31mb\x07\tc\nd\x7f") == "a\\x1b[31mb\\x07\tc\nd\\x7f"
    assert visible("tab\there", keep="") == "tab\\x09here"
    assert visible("été 日本 \u200b") == "été 日本 \u200b"
    assert visible("lone \ud800") == "lone \\ud800"
