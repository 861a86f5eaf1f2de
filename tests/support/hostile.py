"""Hostile spec text planted into a copy of the example project, for the output-injection tests.

HOSTILE is what a pull request could put in any free-text field: a team
mention, a link, an image, raw HTML, GitHub Actions and Azure workflow
commands on lines of their own, and an ESC sequence (written in the YAML as a
double-quoted escape, so the spec file itself is plain text). SHORT says the
same in under the 60 characters a plan shows of a changed value.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

HOSTILE = (
    "@org/admins see [click](https://evil.example) ![x](https://evil.example/p.png) "
    "<img src=x> www.evil.example #1\n::error file=a::pwned\n##[error]x \x1b[31mred|"
)
# The same text as a YAML double-quoted scalar.
HOSTILE_YAML = (
    '"@org/admins see [click](https://evil.example) ![x](https://evil.example/p.png) '
    '<img src=x> www.evil.example #1\\n::error file=a::pwned\\n##[error]x \\e[31mred|"'
)

SHORT = "@org/x [a](https://e.vil)\n::error::p\n##[error]x \x1b[31m`|"
SHORT_YAML = '"@org/x [a](https://e.vil)\\n::error::p\\n##[error]x \\e[31m`|"'

# What must not reach a terminal raw: C0 and C1 controls, DEL, line separators, bidi controls.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Where GitHub would ping, cross-reference or link: a mention, an issue, a URL or a domain.
LINKING = re.compile(r"@[A-Za-z0-9]|#\d|GH-\d|[A-Za-z]://|www\.", re.IGNORECASE)
_RUNNER_LINES = re.compile(r"\r\n|\r|\n")


def workflow_commands(text: str) -> list[str]:
    """The lines of text a CI runner would act on: GitHub Actions takes a line that starts with
    `::` once leading white space is trimmed and, like Azure Pipelines and TeamCity, one with
    `##[` / `##vso[` / `##teamcity[` anywhere in it."""
    return [
        line
        for line in _RUNNER_LINES.split(text)
        if line.lstrip().startswith("::") or re.search(r"##[A-Za-z]*\[", line)
    ]


def strict_json(text: str) -> Any:
    """json.loads that fails on NaN, Infinity and -Infinity, which standard JSON does not have."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


WAIVER = "specs/governance/waivers.yaml"
POLICIES = "specs/governance/policies.yaml"
MODEL = "specs/models/biopsy-malignancy-classifier.yaml"
REPLICAS_MESSAGE = "message: Run at least two replicas on protected targets."


def plant(root: Path) -> None:
    """Put HOSTILE into the waiver's justification, the description of the policy it lifts and
    the message of the waived rule (validate quotes both in its note), and the classifier's
    description and intended use (the plan, the report and the model card show them)."""
    _replace(
        root / WAIVER, r"  justification: >-\n(    .*\n)+", f"  justification: {HOSTILE_YAML}\n"
    )
    _replace(root / POLICIES, re.escape(REPLICAS_MESSAGE), f"message: {HOSTILE_YAML}")
    _replace(
        root / POLICIES,
        r"  description: >-\n    Deployments to protected targets .*\n    .*\n",
        f"  description: {HOSTILE_YAML}\n",
    )
    _replace(root / MODEL, r"  description: .*\n", f"  description: {HOSTILE_YAML}\n")
    _replace(
        root / MODEL, r"    intended_use: >-\n(      .*\n)+", f"    intended_use: {HOSTILE_YAML}\n"
    )


def plant_short(root: Path) -> None:
    """Put SHORT into the classifier's owner and into the key of a new label."""
    _replace(root / MODEL, r"  owner: oncology-ml\n", f"  owner: {SHORT_YAML}\n")
    _replace(root / MODEL, r"labels: \{", f"labels: {{{SHORT_YAML}: v, ")


def run(root: Path, *args: str) -> tuple[int, str, str]:
    """The real CLI in root (-C changes directory: the caller's is restored): code, stdout, stderr."""
    from click.testing import CliRunner

    from modelspec.cli import cli

    here = os.getcwd()
    try:
        result = CliRunner().invoke(
            cli, ["--no-color", "-C", str(root.resolve()), *args], catch_exceptions=False
        )
    finally:
        os.chdir(here)
    return result.exit_code, result.stdout, result.stderr


def approve_again(root: Path) -> None:
    """Approve the changed classifier again, so its compliance approval is fresh."""
    code, out, err = run(
        root,
        "approve",
        "model.biopsy-malignancy-classifier",
        "--role",
        "compliance",
        "--by",
        "test.reviewer",
        "--date",
        "2026-11-26",
    )
    assert code == 0, out + err


def _replace(path: Path, pattern: str, replacement: str) -> None:
    """The first match of pattern replaced by replacement, taken literally."""
    text = path.read_text(encoding="utf-8")
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not found in {path}"
    path.write_text(text[: found.start()] + replacement + text[found.end() :], encoding="utf-8")
