"""The rule help in SARIF is docs/diagnostics.md's table, word for word, for every code."""

from __future__ import annotations

import re
from pathlib import Path

from modelspec.diagnostics import CODES
from modelspec.diagnostics.rules import DESCRIPTIONS, DOCS_URI, help_uri, plain

DOCS = Path(__file__).parents[2] / "docs" / "diagnostics.md"


def test_descriptions_are_the_documented_table() -> None:
    rows = re.findall(r"^\| (MS\d{3}) \| [a-z-]+ \| (.*) \|$", DOCS.read_text("utf-8"), re.M)
    assert dict(rows) == DESCRIPTIONS
    assert set(DESCRIPTIONS) == set(CODES)


def test_the_help_uri_points_at_the_codes_table() -> None:
    assert help_uri("MS202") == DOCS_URI + "#codes"
    assert help_uri("XX999") == ""
    assert "\n## Codes\n" in DOCS.read_text("utf-8")  # GitHub's anchor for it is #codes


def test_plain_drops_the_backticks() -> None:
    assert plain("`apiVersion` is not `modelspec/v1`") == "apiVersion is not modelspec/v1"
