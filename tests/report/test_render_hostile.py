"""`report --format markdown` on hostile specs: the compliance report stays inert and readable.

HOSTILE sits in the waiver's justification, the description of the policy it lifts, the
waived rule's message and the classifier's description and intended use; the report shows
all of them, in tables and in prose.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hostile import CONTROL, HOSTILE, LINKING, approve_again, plant, run, workflow_commands

ESCAPED = (
    "@&#8203;org/admins see \\[click\\](https&#8203;://evil.example) "
    "!\\[x\\](https&#8203;://evil.example/p.png) &lt;img src=x&gt; www&#8203;.evil.example "
    "#&#8203;1 ::error file=a::pwned ##\\[error\\]x \\\\x1b\\[31mred\\|"
)


@pytest.fixture
def report(example_project: Path) -> str:
    plant(example_project)
    approve_again(example_project)
    code, out, err = run(example_project, "report", "--format", "markdown", "--today", "2026-11-27")
    assert code == 0, out + err
    return out


def test_every_hostile_field_is_escaped_where_it_shows(report: str) -> None:
    assert workflow_commands(report) == [] and not CONTROL.search(report)
    lines = report.splitlines()
    waiver = next(line for line in lines if line.startswith("| biopsy-prod-single-replica |"))
    assert waiver.endswith(f"| ACTIVE | {ESCAPED} |")
    policy = next(
        line for line in lines if line.startswith("**soft-mandatory**, owned by ml-platform.")
    )
    assert policy == f"**soft-mandatory**, owned by ml-platform. {ESCAPED}"
    assert f"| Intended purpose | 1(a) | DOCUMENTED | {ESCAPED} |" in lines


def test_no_mention_link_image_html_or_extra_cell(report: str) -> None:
    bare = report.replace("&#8203;", "\u200b")
    assert not LINKING.search(bare)
    assert "](" not in report.replace("\\](", "") and "<img" not in report
    for line in report.splitlines():
        if line.startswith("| biopsy-prod-single-replica |"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 9  # 8 columns, as the header says


def test_rendered_report_shows_the_text_as_written(report: str) -> None:
    mistune = pytest.importorskip("mistune")
    page = str(mistune.create_markdown(escape=False, plugins=["table", "url"])(report))
    assert "<a " not in page and "<img" not in page
    text = html.unescape(re.sub(r"<[^>]+>", "", page)).replace("\u200b", "")
    assert " ".join(HOSTILE.replace("\x1b", "\\x1b").split()) in text
