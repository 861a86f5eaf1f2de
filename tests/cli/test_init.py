"""Tests for `modelspec init`, `modelspec example-data` and the init logic behind them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from modelspec.cli import cli
from modelspec.examples.data import BREAST_CANCER_CSV, DIABETES_CSV
from modelspec.examples.scaffold import (
    REPO_FILES,
    existing_files,
    init_project,
    planned_files,
    project_files,
)
from modelspec.project import load_project


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    directory = tmp_path_factory.mktemp("init") / "clinic"
    return directory, run("init", str(directory))


def test_init_writes_every_file(initialised: tuple[Path, Result]) -> None:
    directory, result = initialised
    assert result.exit_code == 0, result.output
    files = snapshot(directory)
    assert sorted(files) == sorted(planned_files())
    for rel, content in project_files().items():
        assert files[rel] == content
    for rel in planned_files():
        assert f"  {rel}\n" in result.output
    assert "Next steps:" in result.output and "modelspec validate" in result.output
    assert {".gitignore", ".github/workflows/modelspec.yml", "schemas/model.schema.json"} <= set(
        files
    )
    assert files["data/breast_cancer.csv"].startswith(b"patient_id,")


def test_the_written_project_loads(initialised: tuple[Path, Result]) -> None:
    directory, _ = initialised
    project, diagnostics = load_project(directory / "specs" / "models")
    assert diagnostics == []
    assert project is not None and project.root == directory.resolve()
    assert project.name == "clinical-ml"


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "modelspec.yaml").write_text("project: mine\n", encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("init", str(tmp_path))
    assert result.exit_code == 1
    assert "modelspec.yaml" in result.output and "--force" in result.output
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "specs").exists()


def test_init_refusal_lists_a_few_clashes(initialised: tuple[Path, Result]) -> None:
    directory, _ = initialised
    before = snapshot(directory)
    result = run("init", str(directory))
    assert result.exit_code == 1
    assert f"and {len(planned_files()) - 5} more" in result.output
    assert snapshot(directory) == before


def test_init_force_overwrites(tmp_path: Path) -> None:
    init_project(tmp_path)
    (tmp_path / "specs" / "targets.yaml").write_text("edited\n", encoding="utf-8")
    (tmp_path / "data" / DIABETES_CSV).unlink()
    result = run("init", str(tmp_path), "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "specs" / "targets.yaml").read_bytes() == project_files()[
        "specs/targets.yaml"
    ]
    assert (tmp_path / "data" / DIABETES_CSV).is_file()


def test_init_into_a_file_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("x", encoding="utf-8")
    result = run("init", str(target))
    assert result.exit_code == 1
    assert "is a file" in result.output


def test_init_project_raises_on_clashes_without_force(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "targets.yaml").write_text("mine\n", encoding="utf-8")
    assert existing_files(tmp_path) == [tmp_path / "specs" / "targets.yaml"]
    with pytest.raises(FileExistsError, match=r"targets\.yaml"):
        init_project(tmp_path)
    assert (tmp_path / "specs" / "targets.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "modelspec.yaml").exists()


def test_init_project_without_repo_files(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("mine\n", encoding="utf-8")
    written = init_project(tmp_path, repo_files=False)
    rels = {p.relative_to(tmp_path).as_posix() for p in written}
    assert not rels & REPO_FILES
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "mine\n"
    assert "modelspec.yaml" in rels


def test_example_data_writes_into_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # -C changes the working directory; this restores it
    project = tmp_path / "project"
    init_project(project)
    expected = (project / "data" / BREAST_CANCER_CSV).read_bytes()
    (project / "data" / BREAST_CANCER_CSV).unlink()
    result = run("-C", str(project / "specs"), "example-data")
    assert result.exit_code == 0, result.output
    assert (project / "data" / BREAST_CANCER_CSV).read_bytes() == expected
    assert "breast_cancer.csv" in result.output


def test_example_data_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("-C", str(tmp_path), "example-data", "--out", "somewhere")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "somewhere").iterdir()) == [
        BREAST_CANCER_CSV,
        DIABETES_CSV,
    ]


def test_example_data_outside_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("-C", str(tmp_path), "example-data")
    assert result.exit_code == 1
    assert "--out" in result.output
    assert not (tmp_path / "data").exists()
