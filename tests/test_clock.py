"""The clock that decides waiver expiry can be pinned, and a bad pin is a clear error."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelspec import clock
from modelspec.cli import cli


def test_pinned_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELSPEC_TODAY", "2027-07-01")
    assert clock.today() == date(2027, 7, 1)


def test_unset_is_today_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODELSPEC_TODAY")
    # 23:30 at UTC-5 on 30 June is already 1 July in UTC
    late_evening = datetime(2027, 6, 30, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    monkeypatch.setattr(clock, "utc_now", lambda: late_evening.astimezone(UTC))
    assert clock.today() == date(2027, 7, 1)


def test_an_expired_waiver_lifts_nothing_on_the_pinned_day(
    example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELSPEC_TODAY", "2027-07-01")  # the example's waiver ended 2027-06-30
    result = CliRunner().invoke(cli, ["-C", str(example_project), "validate"])
    assert result.exit_code == 1
    assert "MS403" in result.output and "2027-06-30" in result.output


def test_a_bad_pin_is_a_one_line_error(example_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELSPEC_TODAY", "next tuesday")
    result = CliRunner().invoke(cli, ["-C", str(example_project), "validate"])
    assert result.exit_code == 1
    assert "MODELSPEC_TODAY" in result.output and "Traceback" not in result.output
