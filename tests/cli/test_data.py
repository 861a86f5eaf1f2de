"""`modelspec data validate` end to end: exit codes, formats, clear errors, no writes, no network."""

from __future__ import annotations

import json
import os
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelspec.cli import cli

pytestmark = pytest.mark.slow  # runs Great Expectations


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from modelspec.examples.scaffold import init_project

    root = tmp_path_factory.mktemp("data-cli") / "example"
    init_project(root)
    return root


def run(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def corrupt(root: Path, tmp_path: Path) -> Path:
    lines = (root / "data" / "diabetes.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("progression")] = "-7"
    row[header.index("site")] = "moon-base"
    other = lines[2].split(",")
    other[header.index("bmi")] = ""
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([lines[0], ",".join(row), ",".join(other), *lines[3:]]) + "\n", "utf-8")
    return path


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for current, _, files in os.walk(root):
        for name in files:
            path = Path(current) / name
            stat = path.stat()
            out[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return out


@pytest.mark.slow
def test_writes_nothing_and_connects_nowhere(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """First in the module, so that importing Great Expectations happens under the same watch."""
    attempts: list[str] = []

    def refuse(self: socket.socket, address: object, *args: object) -> None:
        attempts.append(repr(address))
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    home = tmp_path / "home"
    home.mkdir()
    for name in [k for k in os.environ if k.startswith("GX_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    before = snapshot(project), snapshot(home)
    code, out, _ = run(project, monkeypatch, "data", "validate", "diabetes-cohort")
    assert code == 0 and "Data passed" in out
    assert attempts == []
    assert (snapshot(project), snapshot(home)) == before


def test_shipped_data_passes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(project, monkeypatch, "data", "validate", "breast-cancer-biopsies")
    assert code == 0, out + err
    assert "data/breast_cancer.csv: 569 rows" in out
    assert "Data passed" in out
    assert err == ""  # no progress bars, no warnings


def test_corrupted_data_fails_naming_each_column(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = corrupt(project, tmp_path)
    code, out, _ = run(project, monkeypatch, "data", "validate", "diabetes-cohort", "--data", str(bad))
    assert code == 1
    fails = [line.strip() for line in out.splitlines() if line.strip().startswith("FAIL")]
    assert fails == [
        "FAIL bmi has a value in every row: 1 value fails (e.g. null)",
        "FAIL site is one of north-clinic, central-hospital, south-clinic: 1 value fails (e.g. \"moon-base\")",
        "FAIL progression is at least 0: 1 value fails (e.g. -7.0)",
    ]
    code, out, _ = run(project, monkeypatch, "data", "validate", "diabetes-cohort", "--data", str(bad),
                       "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["success"] is False and document["format_version"] == "1"
    assert {c["column"] for c in document["checks"] if not c["success"]} == {"bmi", "site", "progression"}
    code, out, _ = run(project, monkeypatch, "data", "validate", "diabetes-cohort", "--data", str(bad),
                       "--format", "junit")
    suite = ET.fromstring(out).find("testsuite")
    assert code == 1 and suite is not None and suite.get("failures") == "3"


def test_unknown_contract_suggests_a_name(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(project, monkeypatch, "data", "validate", "diabetes-cohrt")
    assert code == 1 and out == ""
    assert "no DataContract named 'diabetes-cohrt'" in err
    assert "did you mean 'diabetes-cohort'?" in err


def test_missing_data_file_is_a_clear_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(project, monkeypatch, "data", "validate", "diabetes-cohort", "--data", "nope.csv")
    assert code == 1
    assert "data file nope.csv does not exist" in err
    assert "Traceback" not in err


