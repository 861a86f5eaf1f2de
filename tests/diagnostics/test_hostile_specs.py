"""`validate` on specs whose text is hostile: every format keeps it inert and still readable.

The waived rule's message and the waiver's justification (HOSTILE: a mention, links, an
image, HTML, `::error` and `##[error]` lines and an ESC sequence) are quoted by the
MS401 note validate reports, so each format prints them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hostile import CONTROL, HOSTILE, approve_again, plant, run, strict_json, workflow_commands

from modelspec.safetext import visible


@pytest.fixture
def hostile(example_project: Path) -> Path:
    plant(example_project)
    approve_again(example_project)
    return example_project


def _note(diagnostics: list[dict[str, object]]) -> dict[str, object]:
    (note,) = [d for d in diagnostics if d["code"] == "MS401"]
    return note


@pytest.mark.parametrize("fmt", ["text", "junit"])
def test_human_and_xml_formats_start_no_command_and_pass_no_control(
    hostile: Path, fmt: str
) -> None:
    code, out, err = run(hostile, "validate", "--format", fmt)
    assert code == 0, out + err
    assert workflow_commands(out) == []
    assert "\x1b" not in out and not CONTROL.search(out.replace("\r\n", "\n"))
    # still readable: the escape is shown, the broken commands read as what they were
    assert "\\x1b[31mred" in out
    assert "\\x3a:error file=a::pwned" in out and "#\\x23[error]x" in out
    if fmt == "junit":
        ET.fromstring(out)  # a valid document
    else:
        lines = out.splitlines()
        first = next(i for i, line in enumerate(lines) if "note[MS401]" in line)
        assert lines[first].endswith(
            "@org/admins see [click](https://evil.example) "
            "![x](https://evil.example/p.png) <img src=x> www.evil.example #1"
        )
        assert (
            lines[first + 1] == "  \\x3a:error file=a::pwned"
        )  # the message's own lines, indented


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_carry_the_exact_text_but_no_command(hostile: Path, fmt: str) -> None:
    code, out, _ = run(hostile, "validate", "--format", fmt)
    assert code == 0
    document = strict_json(out)
    assert workflow_commands(out) == [] and "\x1b" not in out
    if fmt == "json":
        note = _note(document["diagnostics"])
        message, justification = str(note["message"]), note["suppression"]["justification"]  # type: ignore[index]
        assert " ".join(HOSTILE.split()) in justification
    else:
        (result,) = [r for r in document["runs"][0]["results"] if r["ruleId"] == "MS401"]
        message = result["message"]["text"]
    assert HOSTILE in message  # the value itself, unchanged once parsed


def test_github_format_is_one_command_per_diagnostic(hostile: Path) -> None:
    code, out, _ = run(hostile, "validate", "--format", "github")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1 and out.count("\n") == 1 and "\r" not in out
    assert re.match(
        r"^::notice file=specs/deployments/[^:,]*,line=\d+,col=19,title=MS401 [a-z-]+::", lines[0]
    )
    data = lines[0].split("::", 2)[2]
    assert "\x1b" not in data
    # the message, decoded as the runner decodes it: line breaks back, ESC shown as an escape
    decoded = data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
    assert visible(HOSTILE) in decoded
