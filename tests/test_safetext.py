"""safetext: spec text that reaches a terminal or a CI log shows control characters as escapes
and can never be a workflow command."""

from __future__ import annotations

import json

import pytest
from hostile import CONTROL, workflow_commands
from hypothesis import given, settings
from hypothesis import strategies as st

from modelspec.safetext import inert_json, inert_lines, one_line, visible

# text rich in what matters here: hashes, brackets, colons, line breaks and controls
_TEXT = st.text(
    st.sampled_from("#[:v \n\r\t\x1b\x85\x9b\u2028\u202e") | st.characters(), max_size=24
)


def test_visible_keeps_layout_and_escapes_controls() -> None:
    assert visible("a\x1b[31mb\x07\tc\nd\x7f\x9b") == "a\\x1b[31mb\\x07\tc\nd\\x7f\\x9b"
    # line separators and bidirectional overrides reach no terminal either
    assert visible("a\u2028b\u202ec\u2066d") == "a\\u2028b\\u202ec\\u2066d"
    assert visible("été 日本 \u200b 👍") == "été 日本 \u200b 👍"


def test_one_line_escapes_every_break_visibly() -> None:
    assert one_line("a\nb\r\nc\td\x1b[2J") == "a\\nb\\r\\nc\\td\\x1b[2J"
    assert one_line(42) == "42"
    assert one_line("plain text: unchanged") == "plain text: unchanged"


@pytest.mark.parametrize(
    ("line", "inert"),
    [
        ("::error file=a::pwned", "\\x3a:error file=a::pwned"),
        ("   ::add-mask::x", "   \\x3a:add-mask::x"),
        ("\u00a0\u2003::warning::x", "\u00a0\u2003\\x3a:warning::x"),  # .NET trims these too
        ("a ::error::x", "a ::error::x"),  # not at the start: GitHub ignores it
        ("##[error]x", "#\\x23[error]x"),
        ("see ##vso[task.setvariable variable=a]b", "see #\\x23vso[task.setvariable variable=a]b"),
        ("##teamcity[buildStatus text='x']", "#\\x23teamcity[buildStatus text='x']"),
        ("###[x", "##\\x23[x"),
        ("## heading [x]", "## heading [x]"),
    ],
)
def test_inert_lines_breaks_each_kind_of_command(line: str, inert: str) -> None:
    assert inert_lines(line) == inert
    assert workflow_commands(inert) == []


def test_inert_lines_sees_every_line_start_a_runner_sees() -> None:
    text = "ok\n::error::a\r::error::b\r\n  ::error::c\n"
    assert inert_lines(text) == "ok\n\\x3a:error::a\r\\x3a:error::b\r\n  \\x3a:error::c\n"


def test_one_line_is_never_a_command() -> None:
    assert one_line("::error::x") == "\\x3a:error::x"
    assert one_line("x\n::error::y") == "x\\n::error::y"  # cannot start a line at all


@given(_TEXT)
def test_nothing_survives_as_a_command(text: str) -> None:
    assert workflow_commands(inert_lines(text)) == []
    shown = one_line(text)
    assert workflow_commands(shown) == []
    assert not CONTROL.search(shown) and "\n" not in shown


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60)
@given(_JSON)
def test_inert_json_parses_to_the_same_value(value: object) -> None:
    for ensure_ascii in (True, False):
        text = inert_json(json.dumps(value, ensure_ascii=ensure_ascii, indent=2))
        assert json.loads(text) == value
        assert workflow_commands(text) == []
        assert not CONTROL.search(text)
