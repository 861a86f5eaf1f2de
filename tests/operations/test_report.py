"""operations.report: the compliance report as a value; rendering and writing are separate."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from modelspec.errors import UserError
from modelspec.operations.report import FORMATS, load_report, report_format, write_report
from modelspec.project import load_project
from modelspec.report import Report


def test_load_report_returns_a_report_and_prints_nothing(
    example_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, _ = load_project(example_project)
    assert project is not None
    generated = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    report, diags = load_report(project, today=date(2026, 11, 27), generated_at=generated)
    assert isinstance(report, Report)
    assert report.generated_at == "2026-11-27 09:30 UTC" and report.today == "2026-11-27"
    assert report.models and report.error_count == 0
    assert not [d for d in diags if d.is_error]
    assert capsys.readouterr() == ("", "")


def test_the_format_follows_the_out_file_unless_given() -> None:
    assert report_format(None, None) == "markdown"
    assert report_format(None, "compliance.HTML") == "html"
    assert report_format(None, "compliance.md") == "markdown"
    assert report_format("markdown", "compliance.html") == "markdown"
    assert FORMATS.names == ("html", "markdown")


def test_write_report_says_when_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    out = tmp_path / "file" / "report.md"
    with pytest.raises(UserError, match="cannot write the report to"):
        write_report("# report\n", str(out))
    write_report("# report\n", str(tmp_path / "report.md"))
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == "# report\n"
