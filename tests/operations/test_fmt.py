"""operations.fmt: results per file; it writes only when asked to."""

from __future__ import annotations

from pathlib import Path

from modelspec.operations.fmt import format_paths

MESSY = "kind: Model   # the kind\napiVersion: modelspec/v1\n"
TIDY = "apiVersion: modelspec/v1\nkind: Model   # the kind\n"


def test_a_check_writes_nothing_and_reports_the_change(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(MESSY, encoding="utf-8")
    formatted = format_paths([path], write=False)
    assert (formatted.changed, formatted.unchanged, formatted.failed) == (1, 0, 0)
    assert formatted.results[0].after == TIDY
    assert path.read_text(encoding="utf-8") == MESSY


def test_write_rewrites_the_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(MESSY, encoding="utf-8")
    formatted = format_paths([tmp_path], write=True)
    assert formatted.changed == 1
    assert path.read_text(encoding="utf-8") == TIDY


def test_a_missing_path_and_invalid_yaml_are_results(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1,\n", encoding="utf-8")
    formatted = format_paths([bad, tmp_path / "nope.yaml"], write=True)
    assert [d.code for d in formatted.problems] == ["MS002"]
    assert formatted.results[0].problem is not None and formatted.results[0].problem.code == "MS100"
    assert formatted.failed == 2 and bad.read_text(encoding="utf-8") == "a: [1,\n"
