"""The cron schedule validator."""

from __future__ import annotations

import pytest

from modelspec.spec.cron import cron_problem


@pytest.mark.parametrize(
    "expression",
    [
        "* * * * *",
        "0 3 * * *",
        "*/15 * * * *",
        "0 0 1,15 * *",
        "0 9-17/2 * * mon-fri",
        "30 2 * JAN,JUL SUN",
        "0 0 * * 7",
        "5 4 1-31/3 1-12 0-6",
        "@hourly",
        "@daily",
        "@weekly",
        "@monthly",
        "@yearly",
        "@annually",
        "@midnight",
    ],
)
def test_valid(expression: str) -> None:
    assert cron_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("0 3 * *", "5 fields"),
        ("0 3 * * * *", "5 fields"),
        ("60 * * * *", "minute"),
        ("0 24 * * *", "hour"),
        ("0 0 0 * *", "day of month"),
        ("0 0 * 13 *", "month"),
        ("0 0 * * 8", "day of week"),
        ("0 0 * foo *", "month"),
        ("0 0 * * mon-sun", "runs backwards"),
        ("*/0 * * * *", "at least 1"),
        ("1,,2 * * * *", "minute"),
        ("@reboot", "unknown macro"),
        ("", "5 fields"),
    ],
)
def test_invalid(expression: str, words: str) -> None:
    problem = cron_problem(expression)
    assert problem is not None and words in problem
