"""`modelspec monitor` on malformed data: a one-line error naming the file, column and line, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from engine_fixtures import Example

from modelspec.cli import cli

pytestmark = pytest.mark.slow

DEPLOYMENT = "biopsy-classifier-prod"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def corrupt(deployed: Example, tmp_path: Path, edit: str) -> Path:
    lines = (deployed.root / "data" / "breast_cancer.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:80]
    if edit == "header only":
        rows = []
    elif edit == "short row":
        rows[0] = "BC-1,1.0,2.0"
    elif edit == "text in a number column":
        rows[3] = rows[3].replace(rows[3].split(",")[1], "abc", 1)
    elif edit == "infinity":
        rows[5] = rows[5].replace(rows[5].split(",")[1], "inf", 1)
    elif edit == "label not a boolean":
        rows[1] = rows[1].rsplit(",", 1)[0] + ",maybe"
    elif edit == "binary junk":
        path = tmp_path / "current.csv"
        path.write_bytes(bytes(range(256)) * 8)
        return path
    path = tmp_path / "current.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("header only", "current.csv has no rows: give at least one row below the header"),
        ("short row", "current.csv: column malignant has no value on line 2 (a short row?)"),
        ("text in a number column", "current.csv: column mean_radius must hold numbers, but line 5 has 'abc'"),
        ("infinity", "current.csv: column mean_radius holds an infinite value on line 7"),
        ("label not a boolean", "current.csv: column malignant must hold true or false, but line 3 has 'maybe'"),
        ("binary junk", "current.csv as csv: Error tokenizing data"),
    ],
)
def test_malformed_current_data_is_an_error_naming_the_line(
    deployed: Example, tmp_path: Path, edit: str, message: str
) -> None:
    current = corrupt(deployed, tmp_path, edit)
    before = tree(deployed.root)
    result = CliRunner().invoke(cli, ["-C", str(deployed.root), "monitor", DEPLOYMENT, "--current", str(current)])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: "), result.stderr
    assert message in result.stderr
    assert tree(deployed.root) == before  # no trigger written, nothing else touched


def test_malformed_reference_data_is_an_error_too(deployed: Example, tmp_path: Path) -> None:
    reference = corrupt(deployed, tmp_path, "text in a number column")
    good = deployed.root / "data" / "breast_cancer.csv"
    result = CliRunner().invoke(
        cli, ["-C", str(deployed.root), "monitor", DEPLOYMENT, "--current", str(good), "--reference", str(reference)]
    )
    assert result.exit_code == 1
    assert "column mean_radius must hold numbers" in result.stderr
