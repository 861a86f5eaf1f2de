"""Tests for `modelspec fmt`: writing, --check, --diff and broken files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelspec.cli import cli

MESSY = "# yaml-language-server: $schema=../schemas/model.json\nkind: Model   # the kind\napiVersion: modelspec/v1\nmetadata:\n    owner: growth\n    name: churn\n"
TIDY = "# yaml-language-server: $schema=../schemas/model.json\napiVersion: modelspec/v1\nkind: Model   # the kind\nmetadata:\n  name: churn\n  owner: growth\n"
CLEAN = "apiVersion: modelspec/v1\nkind: Target\nmetadata:\n  name: prod\n  owner: platform\nspec: {platform: local}\n"
BROKEN = "apiVersion: modelspec/v1\nkind: Model\nspec:\n  columns: [a, b\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "modelspec.yaml").write_text("project: demo\nspecs: specs\n")
    specs = tmp_path / "specs"
    (specs / "models").mkdir(parents=True)
    (specs / "models" / "churn.yaml").write_text(MESSY)
    (specs / "prod.yml").write_text(CLEAN)
    (specs / "notes.txt").write_text("kind:   not yaml to format\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fmt", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def test_formats_the_project_specs_and_config(project: Path) -> None:
    code, out, _ = run()
    assert code == 0
    assert (project / "specs" / "models" / "churn.yaml").read_text() == TIDY
    assert (project / "specs" / "prod.yml").read_text() == CLEAN
    assert (project / "specs" / "notes.txt").read_text() == "kind:   not yaml to format\n"
    assert "1 file reformatted, 2 unchanged" in out


def test_second_run_changes_nothing(project: Path) -> None:
    run()
    before = snapshot(project)
    code, out, _ = run()
    assert code == 0
    assert "0 files reformatted, 3 unchanged" in out
    assert snapshot(project) == before


def test_writes_keep_the_file_mode_and_leave_no_temp_files(project: Path) -> None:
    target = project / "specs" / "models" / "churn.yaml"
    os.chmod(target, 0o640)
    unchanged = project / "specs" / "prod.yml"
    mtime = unchanged.stat().st_mtime_ns
    run()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["churn.yaml"]
    assert unchanged.stat().st_mtime_ns == mtime


def test_check_lists_files_that_would_change_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    code, out, err = run("--check")
    assert code == 1
    assert out.splitlines() == ["specs/models/churn.yaml"]
    assert "1 file would be reformatted, 2 unchanged" in err
    assert snapshot(project) == before


def test_check_passes_once_formatted(project: Path) -> None:
    run()
    code, out, _ = run("--check")
    assert code == 0
    assert out == ""


def test_diff_prints_a_unified_diff_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    code, out, _ = run("--diff")
    assert code == 0
    assert snapshot(project) == before
    assert out.startswith("--- a/specs/models/churn.yaml\n+++ b/specs/models/churn.yaml\n@@")
    assert "-    owner: growth\n" in out
    assert "+  name: churn\n" in out


def test_broken_file_is_reported_with_its_position_and_left_alone(project: Path) -> None:
    broken = project / "specs" / "broken.yaml"
    broken.write_text(BROKEN)
    code, out, err = run()
    assert code == 1
    # the same diagnostic validate gives for the file
    assert "specs/broken.yaml:5:1: error[MS100]: YAML syntax error" in err
    assert broken.read_text() == BROKEN
    # the other files are still formatted
    assert (project / "specs" / "models" / "churn.yaml").read_text() == TIDY
    assert "1 file reformatted, 2 unchanged, 1 failed" in out


def test_explicit_paths_and_directories(project: Path) -> None:
    other = project / "elsewhere"
    other.mkdir()
    (other / "a.yaml").write_text("b: 1\na:    [1, 2]\n")
    code, _, _ = run("elsewhere")
    assert code == 0
    assert (other / "a.yaml").read_text() == "b: 1\na: [1, 2]\n"
    # the specs were not part of the run
    assert (project / "specs" / "models" / "churn.yaml").read_text() == MESSY


def test_missing_path_is_a_problem(project: Path) -> None:
    code, _, err = run("nope.yaml")
    assert code == 1
    assert "nope.yaml: error[MS002]: no such file or directory" in err


def test_outside_a_project_without_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run()
    assert code == 1
    assert "error[MS001]" in err


def test_invalid_project_config_is_reported_as_a_diagnostic(project: Path) -> None:
    (project / "modelspec.yaml").write_text("project: demo\nspecz: specs\n")
    code, _, err = run()
    assert code == 1
    assert "modelspec.yaml:2:1: error[MS001]:" in err


def test_through_the_installed_module(project: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    check = subprocess.run(
        [sys.executable, "-m", "modelspec", "fmt", "--check"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert check.returncode == 1, check.stderr
    assert check.stdout.splitlines() == ["specs/models/churn.yaml"]
    write = subprocess.run(
        [sys.executable, "-m", "modelspec", "-C", str(project), "fmt"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert write.returncode == 0, write.stderr
    assert (project / "specs" / "models" / "churn.yaml").read_text() == TIDY


HOSTILE = {
    "int tag on a word": "a: !!int 'abc'\n",
    "float tag on a word": "a: !!float 'abc'\n",
    "bool tag on maybe": "a: !!bool maybe\n",
    "impossible timestamp": "a: !!timestamp 2001-13-45\n",
    "4,301-digit integer": "a: " + "9" * 4301 + "\n",
    "complex mapping key": "? [a, b]\n: c\n",
    "300 deep": "a: " + "[" * 300 + "]" * 300 + "\n",
    "1,000 deep": "a: " + "{b: " * 1000 + "c" + "}" * 1000 + "\n",
    "self-referencing alias": "a: &x [*x]\n",
    "NUL byte": "a: b\x00c\n",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("mode", [("--check",), ("--diff",), ()])
def test_yaml_validate_refuses_is_refused_by_fmt_with_the_same_diagnostic(
    project: Path, text: str, mode: tuple[str, ...]
) -> None:
    hostile = project / "specs" / "hostile.yaml"
    hostile.write_text(text)
    before = snapshot(project)
    code, _, err = run(*mode, "specs/hostile.yaml")
    validated = CliRunner().invoke(cli, ["validate"], catch_exceptions=False)
    assert code == 1, err
    assert "Traceback" not in err
    first = next(line for line in err.splitlines() if "hostile.yaml" in line)
    assert "error[MS1" in first, first
    assert first in validated.stdout  # file, line, column, code and message as validate gives them
    assert snapshot(project) == before


def test_fmt_never_reads_a_fifo_or_a_device(project: Path) -> None:
    os.mkfifo(project / "specs" / "pipe.yaml")
    (project / "specs" / "zero.yaml").symlink_to("/dev/zero")
    code, _, err = run("--check")
    assert code == 1
    assert "specs/pipe.yaml: error[MS002]: cannot read file: not a regular file (it is a named pipe)" in err
    assert "specs/zero.yaml: error[MS002]: file leads outside the project" in err


def test_fmt_of_the_project_does_not_read_specs_linked_from_outside(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    secret = tmp_path_factory.mktemp("outside") / "secret.yaml"
    secret.write_text("password:    hunter2\n")
    (project / "specs" / "linked.yaml").symlink_to(secret)
    code, out, err = run("--diff")
    assert code == 1
    assert "hunter2" not in out + err
    assert "specs/linked.yaml: error[MS002]: file leads outside the project" in err
    assert secret.read_text() == "password:    hunter2\n"


def test_a_file_too_large_to_lay_out_quickly_is_refused_untouched(project: Path) -> None:
    from modelspec.operations.fmt import MAX_FORMAT_BYTES

    big = project / "specs" / "big.yaml"
    lines = [f"k{i}:   {i}" for i in range(MAX_FORMAT_BYTES // 8)]
    big.write_text("\n".join(lines) + "\n")
    before = big.read_bytes()
    code, _, err = run("specs/big.yaml")
    assert code == 1
    assert f"specs/big.yaml: error[MS104]: file is {len(before):,} bytes; fmt lays out files of at most 131,072 bytes" in err
    assert big.read_bytes() == before
