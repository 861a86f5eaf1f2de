"""`plan` after hostile spec edits: the Markdown comment, the text and the JSON stay inert.

The example is applied first (pipelines rendered by the kubeflow engine: no training), then
the classifier's description and intended use get HOSTILE, its owner and a label key SHORT
(short enough to show in full in the plan), and its approval is given again.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hostile import (
    CONTROL,
    HOSTILE,
    LINKING,
    SHORT,
    approve_again,
    plant,
    plant_short,
    run,
    strict_json,
    workflow_commands,
)

from modelspec.safetext import one_line


@pytest.fixture
def changed(example_project: Path) -> Path:
    config = example_project / "modelspec.yaml"
    config.write_text(
        config.read_text("utf-8").replace("engine: local", "engine: kubeflow"), "utf-8"
    )
    code, out, err = run(example_project, "apply", "--auto-approve")
    assert code == 0, out + err
    plant(example_project)
    plant_short(example_project)
    approve_again(example_project)
    return example_project


def outside_code(markdown: str) -> str:
    """The Markdown with every code span and <code> element taken out: where GitHub links."""
    markdown = re.sub(r"<code>.*?</code>", "", markdown)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)


def test_markdown_comment_is_inert(changed: Path) -> None:
    code, out, err = run(changed, "plan", "--format", "markdown")
    assert code == 0, err
    assert workflow_commands(out) == [] and not CONTROL.search(out)
    prose = outside_code(out)
    assert not LINKING.search(prose.replace("&#8203;", "\u200b")), prose
    assert "](" not in prose.replace("\\](", "") and "<img" not in out
    # a table row per change and per attribute, never one more
    for line in out.splitlines():
        if line.startswith("| ") and "`metadata." in line:
            assert len(re.findall(r"(?<!\\)\|", line)) == 4, line
    # readable: the reason gives the new owner as written, escaped, on its row
    assert (
        "metadata.owner changed: oncology-ml -&gt; @&#8203;org/x \\[a\\](https&#8203;://e.vil)"
        in out
    )
    # the value itself, in a code span that its backtick cannot close
    assert "| `metadata.owner` | `oncology-ml` | ``@org/x [a](https://e.vil) ::error::p" in out


def test_markdown_renders_no_link_image_or_html(changed: Path) -> None:
    mistune = pytest.importorskip("mistune")
    _, out, _ = run(changed, "plan", "--format", "markdown")
    page = str(mistune.create_markdown(escape=False, plugins=["table", "url"])(out))
    assert "<a " not in page and "<img" not in page
    tags = set(re.findall(r"<([a-z0-9]+)", page))
    assert tags <= {
        "h3",
        "p",
        "strong",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "details",
        "summary",
        "br",
    }
    text = html.unescape(re.sub(r"<[^>]+>", "", page)).replace("\u200b", "")
    assert "@org/x [a](https://e.vil) ::error::p" in text  # shown as written


def test_text_plan_shows_values_on_their_line(changed: Path) -> None:
    code, out, _ = run(changed, "plan")
    assert code == 0
    assert workflow_commands(out) == [] and "\x1b" not in out
    assert f"~ metadata.owner: oncology-ml -> {one_line(' '.join(SHORT.split(chr(10))))}" in out
    assert "#\\x23[error]x \\x1b[31m`|" in out


def test_json_plan_keeps_the_values(changed: Path) -> None:
    code, out, _ = run(changed, "plan", "--format", "json")
    assert code == 0
    assert workflow_commands(out) == [] and "\x1b" not in out
    plan = strict_json(out)
    (model,) = [c for c in plan["changes"] if c["address"] == "model.biopsy-malignancy-classifier"]
    after = {d["path"]: d["after"] for d in model["diffs"]}
    assert after["/metadata/owner"] == SHORT and after["/metadata/description"] == HOSTILE


def test_non_finite_spec_numbers_are_refused_and_the_json_stays_standard(
    example_project: Path,
) -> None:
    contract = example_project / "specs" / "contracts" / "diabetes-cohort.yaml"
    text = contract.read_text("utf-8")
    assert "min: 0, max: 400}" in text
    contract.write_text(text.replace("min: 0, max: 400}", "min: -.inf, max: .nan}"), "utf-8")
    code, out, err = run(example_project, "plan", "--format", "json")
    assert code == 1, err
    assert out == ""  # no plan: nothing that could carry Infinity or NaN
    assert "diabetes-cohort.yaml:26:61: error[MS205]: spec.columns[11].min: -inf is not a finite number" in err
    assert "diabetes-cohort.yaml:26:73: error[MS205]: spec.columns[11].max: nan is not a finite number" in err
