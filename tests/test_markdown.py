"""modelspec.markdown: spec text renders as the text it is, never as a mention, link, image,
HTML, a heading, list or table row of its own, or a CI workflow command."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from hostile import LINKING, workflow_commands
from hypothesis import given, settings
from hypothesis import strategies as st

from modelspec.markdown import code, text
from modelspec.markdown import html as html_text
from modelspec.safetext import visible

HOSTILE = (
    "@org/admins see [click](https://evil.example) ![x](https://evil.example/p.png) "
    "<img src=x> <https://auto.example> www.evil.example mail a@b.example #1 GH-2 {{ 7*7 }} $x$"
    "\n::error file=a::pwned\n##[error]x \x1b[31mred | `tick` *b* _i_ ~s~ \\"
)


@pytest.fixture(scope="module")
def render() -> Callable[[str], str]:
    """A CommonMark renderer with GFM tables, strikethrough and bare-URL autolinks; raw HTML kept."""
    mistune = pytest.importorskip("mistune")
    md = mistune.create_markdown(escape=False, plugins=["table", "strikethrough", "url"])
    return lambda source: str(md(source))


def shown(page: str) -> str:
    """What a reader sees of a rendered page: tags dropped, entities decoded, zero-width spaces gone."""
    return html.unescape(re.sub(r"<[^>]+>", "", page)).replace("\u200b", "")


def test_text_is_inert(render: Callable[[str], str]) -> None:
    source = text(HOSTILE)
    assert "\n" not in source and workflow_commands(source) == []
    assert "](" not in source.replace("\\](", "")
    assert source.startswith("@&#8203;org/admins see \\[click\\](https&#8203;://evil.example)")
    page = render(source)
    assert not re.search(r"<(?!/?p>)", page), page  # nothing but the paragraph itself
    # readable: the value as written, on one line, its ESC shown as an escape
    assert shown(page).strip() == " ".join(HOSTILE.replace("\x1b", "\\x1b").split())


def test_text_with_breaks_keeps_the_lines_inside_one_source_line(
    render: Callable[[str], str],
) -> None:
    source = text("# first\n# not a heading\r\n- not a list\r1. nor this", breaks=True)
    # only the start of the value can start a block: the <br> keep the rest on its line
    assert source == "\\# first<br># not a heading<br>- not a list<br>1. nor this"
    page = render(source)
    assert "<h1>" not in page and "<li>" not in page and page.count("<br>") == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("> quote", "&gt; quote"),
        ("::error::x", "\\::error::x"),
        ("=====", "\\====="),
        ("plain words, 2.1.0 and a-b", "plain words, 2.1.0 and a-b"),
        ("snake_case", "snake\\_case"),
    ],
)
def test_text_escapes_a_block_marker_at_the_start(value: str, expected: str) -> None:
    assert text(value) == expected


def test_text_in_a_table_cell_keeps_the_columns(render: Callable[[str], str]) -> None:
    table = "| a | b |\n| --- | --- |\n" + f"| {text(HOSTILE)} | {code(HOSTILE, in_table=True)} |\n"
    page = render(table)
    assert page.count("<td>") == 2 and page.count("<tr>") == 2
    assert "<a " not in page and "<img" not in page


def test_code_spans_hold_any_backticks(render: Callable[[str], str]) -> None:
    for value in ["a`b", "``x``", "`lead", "trail`", "say `[x](https://e.vil)` now"]:
        page = render(f"before {code(value, in_table=False)} after")
        assert page.count("<code>") == 1 and "<a " not in page, page
        inside = re.search(r"<code>(.*)</code>", page, re.S)
        assert inside and inside.group(1).strip() == value.strip()


def test_code_is_one_line_and_no_command() -> None:
    span = code("a\nb\r\n##[error]x\x1b", in_table=False)
    assert span == "`a b #\u200b#[error]x\\x1b`"
    assert workflow_commands(span) == []
    assert code("x|y", in_table=True) == "`x\\|y`" and code("x|y", in_table=False) == "`x|y`"


def test_html_is_for_raw_html_blocks() -> None:
    value = html_text('<b>@org</b> "q" ##[error]x\nhttps://e.vil')
    assert (
        value == "&lt;b&gt;@&#8203;org&lt;/b&gt; &quot;q&quot; #&#35;[error]x https&#8203;://e.vil"
    )


@settings(max_examples=80)
@given(st.text(st.sampled_from("@#[]()!<>`|*_~\\:/w. \n\x1b$ax1G-") | st.characters(), max_size=40))
def test_any_text_renders_as_itself_in_a_cell(render: Callable[[str], str], value: str) -> None:
    page = render(f"| h |\n| --- |\n| {text(value)} |\n")
    assert "<a " not in page and "<img" not in page and "<code>" not in page
    assert page.count("<td") == 1
    cell = re.search(r"<td>(.*?)</td>", page, re.S)
    seen = html.unescape(cell.group(1) if cell else "")
    assert "<" not in seen.replace("&lt;", "") or "<" in value  # no tag of its own
    assert not LINKING.search(seen), seen  # zero-width spaces still in place
    assert seen.replace("\u200b", "") == " ".join(visible(value, keep="\t\n\r").split())
