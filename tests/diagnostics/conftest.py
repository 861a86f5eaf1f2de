"""Diagnostics with hostile text, shared by the renderer tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from modelspec.diagnostics import Diagnostic, Severity

SOURCE = {
    ("specs/models.yaml", 12): "      estimater: sklearn.ensemble.RandomForestClassifier",
    ("specs/a, b:c%.yaml", 3): "\tname: 名前 value",
}

UNKNOWN_FIELD = Diagnostic(
    Severity.ERROR,
    "MS202",
    'unknown field "estimater"',
    file="specs/models.yaml",
    line=12,
    column=7,
    path="/spec/training/estimater",
    hint='did you mean "estimator"?',
)

NASTY = [
    UNKNOWN_FIELD,
    Diagnostic(
        Severity.WARNING,
        "MS205",
        "value 50% < 100 & \"quoted\" 'single'\nsecond line: with, comma",
        file="specs/a, b:c%.yaml",
        line=3,
        column=10,
        path="/metadata/name",
        hint="use ≤ or ü\r\nthen retry",
    ),
    Diagnostic(
        Severity.NOTE,
        "MS301",
        "bell \x07 esc \x1b[31m red nul \x00 é 日本",
        file="specs/ünï.yaml",
        line=1,
        column=1,
    ),
    Diagnostic(Severity.ERROR, "MS003", "no specs found under specs/"),
    Diagnostic(Severity.ERROR, "MS204", "expected a mapping", file="specs/models.yaml", line=20),
]


def _source_line(file: str, line: int) -> str:
    return SOURCE.get((file, line), "")


@pytest.fixture
def nasty() -> list[Diagnostic]:
    """Every severity, with newline, CR, %, comma, colon, <, &, quotes, unicode and control chars."""
    return list(NASTY)


@pytest.fixture
def unknown_field() -> Diagnostic:
    return UNKNOWN_FIELD


@pytest.fixture
def source_line() -> Callable[[str, int], str]:
    return _source_line
