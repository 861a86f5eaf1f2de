"""The text, markdown and json renderings of a plan."""

from __future__ import annotations

import json

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from modelspec.formats import UnknownFormat
from modelspec.plan import render
from modelspec.plan.model import ArtifactWrite, AttributeDiff, Change, Drift, Plan
from modelspec.plan.render_markdown import MAX_CHARS
from modelspec.plan.render_markdown import render as render_markdown


def _plan(*changes: Change, drift: tuple[Drift, ...] = ()) -> Plan:
    return Plan(lineage="L", serial=3, changes=changes, drift=drift)


CHANGES = (
    Change(
        "datacontract.c",
        "DataContract",
        "c",
        ("create",),
        "datacontract.c is new",
        (AttributeDiff("/spec/version", None, "1.0.0"),),
    ),
    Change(
        "model.m",
        "Model",
        "m",
        ("delete", "create"),
        "spec.task changed: a -> b",
        (AttributeDiff("/spec/task", "a", "b"),),
        breaking=True,
        writes=(ArtifactWrite("models/m/model-card.md", "sha256:00"),),
    ),
    Change(
        "model.n",
        "Model",
        "n",
        ("update",),
        "spec.card.license changed: MIT -> BSD",
        (AttributeDiff("/spec/card/license", "MIT", "BSD"),),
    ),
    Change(
        "deployment.d",
        "Deployment",
        "d",
        ("delete",),
        "deployment.d is no longer in the specs",
        deletes=("deployments/d/x.yaml",),
    ),
    Change("target.t", "Target", "t", ("no-op",)),
)


def test_text_uses_terraform_symbols_and_summary() -> None:
    text = render("text", _plan(*CHANGES))
    assert "  + datacontract.c\n" in text
    assert "  -/+ model.m\n" in text
    assert "  ~ model.n\n" in text
    assert "  - deployment.d\n" in text
    assert "target.t" not in text  # no-ops are not listed
    assert "~ spec.card.license: MIT -> BSD" in text
    assert "# model.m must be replaced (breaking)" in text
    assert "- file deployments/d/x.yaml" in text
    assert text.endswith("Plan: 1 to create, 1 to update, 1 to replace, 1 to delete.\n")
    assert "\x1b[" not in text


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" in render("text", _plan(*CHANGES), color=True)


def test_text_shows_drift() -> None:
    drift = (Drift("model.m", "models/m/model-card.md", "sha256:1", "missing"),)
    text = render("text", _plan(CHANGES[2], drift=drift))
    assert "models/m/model-card.md (removed; recorded by model.m)" in text


def test_json_has_the_contract_shape() -> None:
    data = json.loads(render("json", _plan(*CHANGES)))
    assert set(data) == {
        "format_version",
        "lineage",
        "serial",
        "summary",
        "changes",
        "drift",
        "policy",
    }
    assert data["summary"] == {"create": 1, "update": 1, "replace": 1, "delete": 1, "no_op": 1}
    assert [c["actions"] for c in data["changes"]] == [
        ["create"],
        ["delete", "create"],
        ["update"],
        ["delete"],
        ["no-op"],
    ]
    assert data["changes"][4]["diffs"] == []


def test_markdown_table_details_and_escaping() -> None:
    tricky = Change(
        "model.x",
        "Model",
        "x",
        ("update",),
        "a | b <script>",
        (AttributeDiff("/spec/card/intended_use", "<b>", "x|y"),),
    )
    text = render("markdown", _plan(tricky, CHANGES[1]))
    assert "| ~ update | `model.x` | a \\| b &lt;script&gt; |" in text
    # code spans hold the value as written: GitHub's renderer shows `<b>`, never a <b> tag
    assert "| `spec.card.intended_use` | `<b>` | `x\\|y` |" in text
    page = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    assert "<td><code>&lt;b&gt;</code></td>" in page and "<td><code>x|y</code></td>" in page
    assert "<script>" not in page and "<b>" not in page
    assert "-/+ replace **breaking**" in text
    assert text.count("<details>") == text.count("</details>") == 2


def test_markdown_is_capped_with_a_note() -> None:
    many = tuple(
        Change(
            f"model.m{i}",
            "Model",
            f"m{i}",
            ("update",),
            "why",
            tuple(AttributeDiff(f"/spec/card/f{j}", "a" * 50, "b" * 50) for j in range(20)),
        )
        for i in range(200)
    )
    text = render_markdown(_plan(*many))
    assert len(text) <= MAX_CHARS
    assert "too long for one comment" in text
    assert text.count("<details>") == text.count("</details>") < 200
    small = render_markdown(_plan(*many), max_chars=500)
    assert len(small) <= 500 and "too long for one comment" in small


def test_unknown_format_is_a_caller_error() -> None:
    with pytest.raises(UnknownFormat, match="unknown plan format"):
        render("yaml", _plan())
