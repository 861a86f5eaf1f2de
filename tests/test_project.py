"""Tests for modelspec.yaml's paths: each resolves inside the project before anything reads or writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from modelspec.cli import cli

CONFIG = "project: demo\nspecs: specs\ngenerated: generated\nstate: {path: .modelspec/state.json}\n"


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-C", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + result.stderr


def listing(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*"))


@pytest.fixture
def project(example_project: Path) -> Path:
    (example_project.parent / "outside").mkdir()
    return example_project


@pytest.mark.parametrize(
    ("line", "setting", "column"),
    [
        ("specs: ..", "specs", 8),
        ("specs: /", "specs", 8),
        ("generated: ../outside", "generated", 12),
        ("generated: /tmp", "generated", 12),
        ("state: {path: ../outside/state.json}", "state.path", 15),
        ("registry: {path: ../outside/registry}", "registry.path", 18),
    ],
)
def test_a_path_outside_the_project_is_refused_at_its_line(
    project: Path, line: str, setting: str, column: int
) -> None:
    key = line.split(":")[0]
    config = project / "modelspec.yaml"
    kept = [x for x in config.read_text().splitlines() if not x.startswith(f"{key}:")]
    config.write_text("\n".join([*kept, line]) + "\n")
    before = listing(project.parent)
    for command in (["validate"], ["plan"], ["apply", "--auto-approve"], ["fmt", "--check"]):
        code, out = run(project, *command)
        assert code == 1, (command, out)
        number = len(kept) + 1
        assert f"modelspec.yaml:{number}:{column}: error[MS001]: modelspec.yaml: {setting} " in out
        assert "outside the project" in out
    assert listing(project.parent) == before  # nothing written, inside or out


@pytest.mark.parametrize("key", ["specs", "generated"])
def test_a_nul_byte_in_a_path_is_a_diagnostic(project: Path, key: str) -> None:
    config = project / "modelspec.yaml"
    kept = [x for x in config.read_text().splitlines() if not x.startswith(f"{key}:")]
    config.write_text("\n".join([*kept, f'{key}: "a\\0b"']) + "\n")
    code, out = run(project, "validate")
    assert code == 1
    assert f"modelspec.yaml: {key} contains a NUL byte; remove it" in out


def test_a_nul_byte_in_the_state_path_is_a_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "modelspec.yaml").write_text('project: demo\nstate: {path: "s\\0.json"}\n')
    code, out = run(tmp_path, "plan")
    assert code == 1
    assert "modelspec.yaml:2:15: error[MS001]: modelspec.yaml: state.path contains a NUL byte" in out


def test_a_generated_directory_that_is_a_symlink_out_of_the_project_is_refused(project: Path) -> None:
    (project / "generated").symlink_to(project.parent / "outside")
    code, out = run(project, "apply", "--auto-approve")
    assert code == 1
    assert "generated 'generated' resolves to" in out
    assert listing(project.parent / "outside") == []


@pytest.mark.parametrize("value", [".", "specs", "specs/generated"])
def test_generated_may_not_overlap_the_root_or_the_specs(tmp_path: Path, value: str) -> None:
    (tmp_path / "modelspec.yaml").write_text(f"project: demo\ngenerated: {value}\n")
    code, out = run(tmp_path, "validate")
    assert code == 1
    assert f"generated: '{value}' overlaps the project root or the specs directory" in out


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (".modelspec/state.lock", "ends in .lock, a name the state's own lock or backup file takes"),
        (".modelspec/state.json.backup", "ends in .backup"),
        (".modelspec/" + "s" * 240 + ".json", "the file name is 245 bytes"),
        (".", "is a directory, and the state is a file"),
        (".modelspec", "is a directory, and the state is a file"),
    ],
)
def test_state_paths_that_collide_or_cannot_exist_are_refused(
    tmp_path: Path, path: str, message: str
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "modelspec.yaml").write_text(f"project: demo\nstate: {{path: {path}}}\n")
    if path == ".modelspec":
        (root / ".modelspec").mkdir()
    before = listing(tmp_path)
    code, out = run(root, "plan")
    assert code == 1
    assert message in out
    assert listing(tmp_path) == before  # no lock or backup beside it, in or out


def test_the_operator_may_allow_a_registry_outside_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "modelspec.yaml"
    text = config.read_text()
    config.write_text(text.replace("{path: .modelspec/registry}", "{path: ../outside/registry}"))
    assert run(project, "validate")[0] == 1
    monkeypatch.setenv("MODELSPEC_ALLOWED_ROOTS", str(project.parent / "outside"))
    assert run(project, "validate")[0] == 0


@pytest.mark.parametrize("value", [".", "specs", "generated/registry"])
def test_the_registry_may_not_overlap_the_root_specs_or_generated(tmp_path: Path, value: str) -> None:
    (tmp_path / "modelspec.yaml").write_text(f"project: demo\nregistry: {{path: {value}}}\n")
    code, out = run(tmp_path, "validate")
    assert code == 1
    assert f"registry.path: '{value}' overlaps the project root, the specs or the generated" in out


@pytest.mark.parametrize(
    ("line", "setting"),
    [
        ("state: {path: " + "a" * 302 + "}", "state.path"),
        ("generated: out/" + "g" * 256, "generated"),
        ("specs: " + "s" * 300, "specs"),
    ],
)
def test_a_name_no_file_system_holds_is_a_diagnostic(tmp_path: Path, line: str, setting: str) -> None:
    (tmp_path / "modelspec.yaml").write_text(f"project: demo\n{line}\n")
    for command in ("validate", "plan"):
        code, out = run(tmp_path, command)
        assert code == 1, out
        assert f"modelspec.yaml: {setting}: a name in it is " in out
        assert "file systems hold names of at most 255" in out


@pytest.mark.usefixtures("no_hang")
def test_thousands_of_unknown_keys_are_reported_in_linear_time(tmp_path: Path) -> None:
    keys = "\n".join(f"k{i}: {i}" for i in range(30_000))
    (tmp_path / "modelspec.yaml").write_text(f"project: demo\n{keys}\n")
    code, out = run(tmp_path, "validate")  # one position lookup per key: quadratic until indexed
    assert code == 1
    assert "modelspec.yaml:30001:1: error[MS001]: modelspec.yaml: k29999: Extra inputs are not permitted" in out
    assert out.rstrip().endswith("30000 errors")
