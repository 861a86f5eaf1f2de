"""Tests for paths: whatever config or a spec names resolves inside the project, symlinks included."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelspec.paths import ALLOWED_ROOTS_ENV, PathRefused, inside, resolve_inside


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    return project.resolve()


@pytest.mark.parametrize("value", ["..", "../outside/x.csv", "/", "/etc/passwd", "data/../../outside"])
def test_paths_that_leave_the_project_are_refused(root: Path, value: str) -> None:
    with pytest.raises(PathRefused, match=r"outside the project; use a path inside the project"):
        resolve_inside(root, value, "specs")


def test_a_symlink_that_leads_outside_is_refused(root: Path) -> None:
    (root / "data" / "link").symlink_to(root.parent / "outside")
    with pytest.raises(PathRefused, match=r"'data/link/x\.csv' resolves to .*outside"):
        resolve_inside(root, "data/link/x.csv", "spec.source.path")
    assert not inside(root / "data" / "link", [root])


def test_paths_inside_resolve_with_their_symlinks_followed(root: Path) -> None:
    (root / "alias").symlink_to(root / "data")
    assert resolve_inside(root, "alias/x.csv", "generated") == root / "data" / "x.csv"
    assert resolve_inside(root, ".", "specs") == root
    assert resolve_inside(root, str(root / "data"), "specs") == root / "data"


@pytest.mark.parametrize(("value", "reason"), [("a\0b", "contains a NUL byte"), ("  ", "is empty")])
def test_names_no_file_system_holds_are_refused(root: Path, value: str, reason: str) -> None:
    with pytest.raises(PathRefused, match=reason):
        resolve_inside(root, value, "state.path")


def test_the_operator_allows_an_outside_root_through_the_environment(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = root.parent / "outside"
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, f"{root.parent / 'elsewhere'}:{shared}")
    assert resolve_inside(root, "../outside/registry", "registry.path") == shared / "registry"
    with pytest.raises(PathRefused, match=f"or below {ALLOWED_ROOTS_ENV}"):
        resolve_inside(root, "../other", "registry.path")
