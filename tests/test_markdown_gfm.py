"""modelspec.markdown under GitHub's own renderer, cmark-gfm (the `cmarkgfm` package): any value,
backticks and pipes included, renders as the text it is, in its code span or its table cell.

Raw HTML is let through the renderer (CMARK_OPT_UNSAFE, as GitHub renders before it sanitises),
so a tag that the Markdown let slip would show in the HTML.
"""

from __future__ import annotations

import html
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hostile import LINKING
from hypothesis import given, settings
from hypothesis import strategies as st

from modelspec.markdown import code, text
from modelspec.plan.model import AttributeDiff, Change, Plan
from modelspec.plan.render_markdown import render as render_plan
from modelspec.safetext import visible

HOSTILE_VALUES = [
    *("`" * n for n in range(1, 6)),
    *(f"a{'`' * n}b" for n in range(1, 6)),
    "`lead", "trail`", "``both``", "` spaced `", " x ", "  ", " ", "",
    "x ``` y ` z ````",
    "a|b", "|edge", "edge|", "|", "||", "a\\|b", "a\\", "\\`",
    "<script>alert(1)</script>", "</td></tr><tr><td>", "<img src=x onerror=alert(1)>",
    "@org/admins", "#12", "https://evil.example", "[x](https://evil.example)", "**b** _i_ ~s~",
    "line one\nline two\r\nthree", "&amp; &lt; &#64;", "{{ 7*7 }} $x$",
]


def gfm(markdown: str) -> str:
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))


def shown_in_code(value: str) -> str:
    """What a code span shows of value: its lines joined by spaces (the span stays on one line)."""
    return re.sub(r"\r\n|\r|\n", " ", visible(value, keep="\t\n\r"))


def codes(page: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", page, re.S)]


def cells(page: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in rows]


def no_raw_html(page: str, allowed: set[str]) -> None:
    tags = {t.lower() for t in re.findall(r"</?([A-Za-z][A-Za-z0-9-]*)", page)}
    assert tags <= allowed, (tags - allowed, page)


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_code_span_shows_the_value_literally(value: str) -> None:
    page = gfm(f"before {code(value, in_table=False)} after\n")
    assert codes(page) == [shown_in_code(value) or " "], page
    assert page.startswith("<p>before <code>") and page.endswith("</code> after</p>\n"), page
    no_raw_html(page, {"p", "code"})


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_code_span_in_a_table_cell_keeps_the_columns(value: str) -> None:
    row = f"| {code(value, in_table=True)} | {code(value, in_table=True)} | end |\n"
    page = gfm("| a | b | c |\n| --- | --- | --- |\n" + row)
    assert [len(r) for r in cells(page)] == [3, 3], page
    assert codes(page) == [shown_in_code(value) or " "] * 2, page
    no_raw_html(page, {"table", "thead", "tbody", "tr", "th", "td", "code"})


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_text_in_a_table_cell_is_one_cell_of_plain_text(value: str) -> None:
    page = gfm(f"| a | b |\n| --- | --- |\n| {text(value)} | end |\n")
    assert [len(r) for r in cells(page)] == [2, 2], page
    no_raw_html(page, {"table", "thead", "tbody", "tr", "th", "td"})  # no <a>, <code>, <em>, ...
    cell = html.unescape(cells(page)[1][0])
    assert cell.replace("\u200b", "") == " ".join(visible(value, keep="\t\n\r").split())
    # GitHub links mentions, issue numbers and bare URLs after rendering: a zero-width space
    # stands between `@` and the name, `#` and the number, the scheme and `://`
    assert not LINKING.search(cell), cell


@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from("`|\\ <>@#&*_[]()!\n:/wx") | st.characters(), max_size=30))
def test_any_value_renders_as_itself(value: str) -> None:
    row = f"| {code(value, in_table=True)} | {text(value)} |\n"
    page = gfm("| a | b |\n| --- | --- |\n" + row + f"\n{code(value, in_table=False)}\n")
    assert [len(r) for r in cells(page)] == [2, 2], page
    assert codes(page) == [shown_in_code(value) or " "] * 2, page
    no_raw_html(page, {"table", "thead", "tbody", "tr", "th", "td", "code", "p"})


def test_the_fence_is_longer_than_the_longest_run_inside() -> None:
    assert code("a``b", in_table=False) == "```a``b```"
    assert code("`x", in_table=False) == "`` `x ``"  # padded: CommonMark strips one space a side
    assert code(" x ", in_table=False) == "`  x  `"
    assert code("a|b", in_table=True) == "`a\\|b`"


def test_the_plan_comment_renders_hostile_values_in_their_cells() -> None:
    hostile = "`a` ``b`` | <script>x</script> @org/admins\nnext"
    change = Change(
        "model.x", "Model", "x", ("update",), f"reason {hostile}",
        (AttributeDiff("/spec/card/intended_use", hostile, "|" + hostile + "|"),),
    )
    page = gfm(render_plan(Plan("lineage", 1, changes=(change,))))
    tables = re.findall(r"<table>.*?</table>", page, re.S)
    assert [[len(r) for r in cells(t)] for t in tables] == [[3, 3], [3, 3]], page
    shown = codes(page)
    assert shown_in_code(hostile) in shown and "|" + shown_in_code(hostile) + "|" in shown, shown
    assert "<script>" not in page and "<a " not in page
    no_raw_html(page, {"h3", "p", "strong", "table", "thead", "tbody", "tr", "th", "td", "code",
                       "details", "summary"})
