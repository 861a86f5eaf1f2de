"""The clock that decides waiver expiry can be pinned, a bad pin is a clear error, and the
example project behaves as it should a year after the day the suite is pinned to."""

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


# A year after conftest.PINNED_TODAY, five months after the example's waiver expired (2027-06-30).
A_YEAR_ON = datetime(2027, 12, 1, 9, 30, tzinfo=UTC)
WAIVER = "specs/governance/waivers.yaml"


@pytest.fixture
def a_year_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock that reads A_YEAR_ON, and nothing pinning the day: today comes from the clock."""
    monkeypatch.delenv("MODELSPEC_TODAY")
    monkeypatch.setattr(clock, "utc_now", lambda: A_YEAR_ON)
    assert clock.today() == date(2027, 12, 1)


@pytest.mark.usefixtures("a_year_on")
def test_a_year_on_the_expired_waiver_stops_validate_plan_and_apply(example_project: Path) -> None:
    runner, root = CliRunner(), example_project
    validate = runner.invoke(cli, ["-C", str(root), "validate"])
    assert validate.exit_code == 1, validate.output
    assert "warning[MS403]: waiver biopsy-prod-single-replica expired on 2027-06-30" in validate.output
    assert "error[MS401]" in validate.output and "deployment.biopsy-classifier-prod" in validate.output
    plan = runner.invoke(cli, ["-C", str(root), "plan", "--detailed-exitcode"])
    assert plan.exit_code == 1 and "MS401" in plan.output, plan.output
    apply = runner.invoke(cli, ["-C", str(root), "apply", "--auto-approve"])
    assert apply.exit_code == 1, apply.output
    assert "nothing can be applied until they are fixed" in apply.output
    assert not (root / "generated").exists() and not (root / ".modelspec" / "state.json").exists()


@pytest.mark.slow
@pytest.mark.usefixtures("a_year_on")
def test_a_year_on_a_renewed_waiver_lets_the_lifecycle_through(tmp_path: Path) -> None:
    """validate -> plan -> apply -> plan through the real CLI, with the waiver renewed as MS403 says."""
    from modelspec.examples.scaffold import init_project

    runner, root = CliRunner(), tmp_path / "example"
    init_project(root)  # with the datasets, which apply trains on
    waiver = root / WAIVER
    waiver.write_text(
        waiver.read_text("utf-8").replace('expires: "2027-06-30"', 'expires: "2028-06-30"'), "utf-8"
    )
    validate = runner.invoke(cli, ["-C", str(root), "validate"])
    assert validate.exit_code == 0, validate.output
    assert "waived by biopsy-prod-single-replica until 2028-06-30" in validate.output
    assert "MS403" not in validate.output and "MS404" not in validate.output  # > 30 days left
    first = runner.invoke(cli, ["-C", str(root), "plan", "--detailed-exitcode"])
    assert first.exit_code == 2, first.output
    apply = runner.invoke(cli, ["-C", str(root), "apply", "--auto-approve"])
    assert apply.exit_code == 0, apply.output
    assert "Apply complete!" in apply.output
    again = runner.invoke(cli, ["-C", str(root), "plan", "--detailed-exitcode"])
    assert again.exit_code == 0 and "No changes" in again.output, again.output
    from modelspec.state import read_audit  # joins the apply's started and completed records

    (record,) = read_audit(root / ".modelspec" / "audit.jsonl")
    assert record["time"] == "2027-12-01T09:30:00Z" and record["status"] == "ok"
