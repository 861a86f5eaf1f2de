"""Tests for the model card: content, determinism and inert, literal spec values."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from modelspec.compile.graph import Resource
from modelspec.generate import RenderContext, render
from modelspec.generate.model_card import escape_markdown, model_card

MakeModel = Callable[..., Resource]

PATH = "models/churn-classifier/model-card.md"
HOSTILE = "{{ 7*7 }} {% raw %} <script>alert(1)</script> a|b *bold* [x](http://e.vil) `code` & co"


def _card(model: Resource, contract: Resource) -> str:
    return model_card(model, {"contract": contract})


def test_card_holds_every_documented_field(make_model: MakeModel, contract: Resource) -> None:
    card = _card(make_model(), contract)
    for expected in (
        "# Model card: churn-classifier",
        "| Owner | growth-ml |",
        "| Version | 2.1.0 |",
        "| Task | classification |",
        "| Risk tier | limited |",
        "| Personal data | false |",
        "| License | Apache-2.0 |",
        "**Description:** Predicts 90-day churn.",
        "**Data contract:** churn (version 1.3.0)",
        "**Target column:** churned",
        "| tenure\\_months | integer | - |",
        "**Estimator:** sklearn.ensemble.RandomForestClassifier",
        "| n\\_estimators | 200 |",
        "| roc\\_auc | &ge; 0.8 |",
        "| brier\\_score | &le; 0.2 |",
        "**Intended use:** Rank accounts for retention outreach.",
        "**Out of scope:** Pricing or credit decisions.",
        "- Trained on 2024-2025 customers only.",
        "| proxy discrimination | no demographic features |",
        "**Human oversight:** Retention staff review every list before outreach.",
    ):
        assert expected in card, expected


def test_missing_card_fields_say_so(make_model: MakeModel) -> None:
    card = model_card(make_model(spec={}), {})
    assert card.count("Not documented.") >= 10
    assert "**Human oversight:** Not documented." in card


def test_rendering_twice_gives_identical_bytes(
    make_model: MakeModel, contract: Resource, ctx: RenderContext
) -> None:
    first = render(make_model(), {"contract": contract}, ctx)
    second = render(make_model(), {"contract": contract}, ctx)
    assert [a.path for a in first] == [
        "models/churn-classifier/model-card.json",
        PATH,
        "pipelines/churn-classifier/workflow.yaml",
    ]
    assert [a.content for a in first] == [a.content for a in second]
    assert first[1].content.endswith(b"\n")


def test_template_syntax_in_values_is_not_evaluated(
    make_model: MakeModel, contract: Resource
) -> None:
    card = _card(make_model(description=HOSTILE), contract)
    assert "49" not in card
    assert "{{" not in card and "{%" not in card
    assert "&#123;&#123; 7\\*7 &#125;&#125;" in card


def test_html_and_markdown_in_values_are_escaped(make_model: MakeModel, contract: Resource) -> None:
    card = _card(make_model(description=HOSTILE, owner="# root | admin"), contract)
    assert "<script>" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    # the URL gets a zero-width space before "://", so GitHub does not autolink it
    assert "\\*bold\\*" in card and "\\[x\\](http&#8203;://e.vil)" in card and "\\`code\\`" in card
    assert "| Owner | \\# root \\| admin |" in card


def test_a_multiline_value_stays_on_its_table_row(
    make_model: MakeModel, contract: Resource
) -> None:
    spec: dict[str, Any] = {
        "card": {"ethical_considerations": [{"name": "a\n| x | y |\n# h", "mitigation": "m"}]}
    }
    card = _card(make_model(spec=spec), contract)
    assert "| a<br>\\| x \\| y \\|<br># h | m |" in card
    assert not re.search(r"^#+ h", card, re.MULTILINE)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. first", "1\\. first"),
        ("2) second", "2\\) second"),
        ("2.1.0", "2.1.0"),
        ("a_b*c", "a\\_b\\*c"),
        ("x\r\ny", "x<br>y"),
        (None, ""),
        (True, "true"),
        (0.25, "0.25"),
        (["a", "b"], '\\["a", "b"\\]'),
    ],
)
def test_escape_markdown(value: Any, expected: str) -> None:
    assert escape_markdown(value) == expected


def test_rendered_html_shows_values_literally(make_model: MakeModel, contract: Resource) -> None:
    mistune = pytest.importorskip("mistune")
    owner = "# root | <b>admin</b>"
    card = _card(make_model(description=HOSTILE, owner=owner), contract)
    page = mistune.create_markdown(escape=False, plugins=["table"])(card)
    assert "<script" not in page and "<b>" not in page and "<a " not in page
    assert page.count("<h1>") == 1
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "http\u200b://e.vil" in text  # shown as written, but not a URL an autolinker sees
    assert HOSTILE in text.replace("\u200b", "")
    assert owner in text


def test_mentions_links_and_commands_are_inert(make_model: MakeModel, contract: Resource) -> None:
    hostile = (
        "@org/admins see [click](https://evil) ![x](https://evil/p.png) <img src=x>\n"
        "::error file=a::pwned\n##[error]x \x1b[31m"
    )
    card = _card(make_model(description=hostile), contract)
    (line,) = [line for line in card.splitlines() if line.startswith("**Description:**")]
    assert line == (
        "**Description:** @&#8203;org/admins see \\[click\\](https&#8203;://evil) "
        "!\\[x\\](https&#8203;://evil/p.png) &lt;img src=x&gt;<br>::error file=a::pwned"
        "<br>##\\[error\\]x \\\\x1b\\[31m"
    )
    # <br> keeps the value on its source line, so no line of the file starts with "::"
    assert "\x1b" not in card and not re.search(r"^\s*::|##\[", card, re.MULTILINE)
