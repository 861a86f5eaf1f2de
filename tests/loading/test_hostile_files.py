"""Tests for loading spec files: FIFOs, devices and links out of the project are never read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelspec.cli import cli


def validate(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-C", str(root), "validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + result.stderr


def test_a_fifo_named_like_a_spec_is_a_diagnostic_not_a_hang(example_project: Path) -> None:
    os.mkfifo(example_project / "specs" / "pipe.yaml")
    code, out = validate(example_project)
    assert code == 1
    assert "specs/pipe.yaml: error[MS002]: cannot read file: not a regular file (it is a named pipe)" in out


def test_a_spec_linked_to_dev_zero_is_refused_before_it_is_read(
    example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (example_project / "specs" / "zero.yaml").symlink_to("/dev/zero")
    code, out = validate(example_project)
    assert code == 1
    assert "specs/zero.yaml: error[MS002]: file leads outside the project" in out
    # even where the operator allows /dev, a device is never read
    monkeypatch.setenv("MODELSPEC_ALLOWED_ROOTS", "/dev")
    code, out = validate(example_project)
    assert code == 1
    assert "specs/zero.yaml: error[MS002]: cannot read file: not a regular file (it is a character device)" in out


def test_a_spec_linked_from_outside_the_project_is_not_read_or_quoted(
    example_project: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("token: s3cr3t-value\n")
    (example_project / "specs" / "linked.yaml").symlink_to(secret)
    code, out = validate(example_project, "--format", "json")
    assert code == 1
    assert "s3cr3t-value" not in out
    assert "file leads outside the project" in out


def test_links_inside_the_project_are_followed(example_project: Path) -> None:
    (example_project / "specs" / "more").mkdir()
    (example_project / "specs" / "more" / "inside.yaml").symlink_to(
        example_project / "specs" / "targets.yaml"
    )
    code, out = validate(example_project)
    assert code == 1  # the same target twice: it was read
    assert "is defined twice" in out


def test_a_symlinked_directory_under_specs_is_not_walked(example_project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.yaml").write_text("kind: [unclosed\n")
    (example_project / "specs" / "linked-dir").symlink_to(outside)
    code, out = validate(example_project)
    assert code == 0, out
    assert "x.yaml" not in out


def test_a_contract_reading_data_outside_the_project_is_refused_before_reading(
    example_project: Path, tmp_path: Path
) -> None:
    (tmp_path / "secret.csv").write_text("ssn,salary\n123-45-6789,99999\n")
    contract = example_project / "specs" / "contracts" / "diabetes-cohort.yaml"
    contract.write_text(contract.read_text().replace("path: data/diabetes.csv", "path: ../secret.csv"))
    code, out = validate(example_project)
    assert code == 1
    assert "specs/contracts/diabetes-cohort.yaml:13:18: error[MS307]: DataContract diabetes-cohort: spec.source.path '../secret.csv' resolves to" in out
    result = CliRunner().invoke(cli, ["-C", str(example_project), "data", "validate", "diabetes-cohort"])
    assert result.exit_code == 1
    assert "123-45-6789" not in result.stdout + result.stderr
    assert "outside the project" in result.stderr


def test_a_spec_that_is_a_symlink_loop_is_a_diagnostic_for_validate_and_fmt(
    example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = example_project / "specs" / "loop.yaml"
    loop.symlink_to(loop)
    code, out = validate(example_project)
    assert code == 1
    assert "specs/loop.yaml: error[MS002]: cannot read file: its symlinks lead in a loop" in out
    monkeypatch.chdir(example_project)
    result = CliRunner().invoke(cli, ["fmt", "--check"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "loop.yaml: error[MS002]: cannot read file: its symlinks lead in a loop" in result.stderr
