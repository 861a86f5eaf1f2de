"""The local registry on disk: build numbers, the manifest, aliases that stay inside the model's folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile_files import EXPECTED, KINDS, plant

from modelspec.errors import EngineError
from modelspec.registry import local as reg


def _register(root: Path, version: str = "1.0.0") -> reg.Build:
    files = {
        "model.joblib": b"pickle bytes",
        "model.skops": b"skops bytes",
        "metrics.json": b'{"r2": 0.5}\n',
    }
    return reg.register_build(root, "m", version, files)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_builds_are_numbered_per_version(tmp_path: Path) -> None:
    assert [_register(tmp_path).build for _ in range(3)] == ["1.0.0+1", "1.0.0+2", "1.0.0+3"]
    assert _register(tmp_path, "1.1.0").build == "1.1.0+1"
    assert reg.build_numbers(tmp_path, "m", "1.0.0") == [1, 2, 3]
    assert reg.latest_build(tmp_path, "m", "1.0.0") == "1.0.0+3"
    assert reg.latest_build(tmp_path, "m", "9.9.9") is None
    assert not [p for p in (tmp_path / "m").iterdir() if p.name.startswith(".incoming")]


def test_the_manifest_lists_every_file_with_its_sha256(tmp_path: Path) -> None:
    import hashlib

    build = _register(tmp_path)
    manifest = json.loads((build.path / "manifest.json").read_text())
    assert manifest["build"] == "1.0.0+1" and manifest["model"] == "m"
    for name in ("model.joblib", "model.skops", "metrics.json"):
        digest = hashlib.sha256((build.path / name).read_bytes()).hexdigest()
        assert manifest["files"][name] == f"sha256:{digest}"
    assert build.artifact_digest == manifest["files"]["model.joblib"]
    # what state records: every file, the manifest's own digest among them
    manifest_digest = "sha256:" + hashlib.sha256((build.path / "manifest.json").read_bytes()).hexdigest()
    assert build.files == {**manifest["files"], "manifest.json": manifest_digest}
    assert build.manifest_digest == manifest_digest


def test_a_build_needs_both_model_files_and_no_manifest_of_its_own(tmp_path: Path) -> None:
    for files in (
        {"model.joblib": b"x"},
        {"model.skops": b"x"},
        {"model.joblib": b"x", "model.skops": b"x", "manifest.json": b"{}"},
    ):
        with pytest.raises(ValueError, match=r"a build needs model\.joblib and model\.skops"):
            reg.register_build(tmp_path, "m", "1.0.0", files)
    assert not (tmp_path / "m").exists() or not list((tmp_path / "m").iterdir())


def test_aliases_move_and_roll_back(tmp_path: Path) -> None:
    for _ in range(3):
        _register(tmp_path)
    assert reg.get_alias(tmp_path, "m", "prod") is None
    assert reg.set_alias(tmp_path, "m", "prod", "1.0.0+1") is None
    assert reg.set_alias(tmp_path, "m", "prod", "1.0.0+3") == "1.0.0+1"
    reg.set_alias(tmp_path, "m", "staging", "1.0.0+2")
    assert json.loads((tmp_path / "m" / "aliases.json").read_text()) == {
        "prod": "1.0.0+3",
        "staging": "1.0.0+2",
    }
    assert reg.alias_history(tmp_path, "m", "prod") == ["1.0.0+1", "1.0.0+3"]
    assert reg.rollback_alias(tmp_path, "m", "prod") == ("1.0.0+3", "1.0.0+1")
    assert reg.get_alias(tmp_path, "m", "prod") == "1.0.0+1"
    assert reg.get_alias(tmp_path, "m", "staging") == "1.0.0+2"
    with pytest.raises(EngineError, match="no earlier build to roll back to"):
        reg.rollback_alias(tmp_path, "m", "prod")


def test_an_alias_points_only_at_a_registered_build(tmp_path: Path) -> None:
    _register(tmp_path)
    with pytest.raises(EngineError, match=r"no registered build 1\.0\.0\+7"):
        reg.set_alias(tmp_path, "m", "prod", "1.0.0+7")
    for hostile in ("../..", "1.0.0+1/../..", "/etc"):
        with pytest.raises(EngineError, match="no registered build"):
            reg.set_alias(tmp_path, "m", "prod", hostile)
    assert not (tmp_path / "m" / "aliases.json").exists()


@pytest.mark.parametrize(
    "value",
    ["../..", "../../somewhere", "..", "/etc", "1.0.0+1/../../x", "1.0.0+1/", "", ".", 7, ["1.0.0+1"],
     "a\\b+1", "1.0.0+1\n", "1..0+1"],
)
def test_an_alias_that_is_not_a_build_folder_is_refused(tmp_path: Path, value: object) -> None:
    _register(tmp_path)
    (tmp_path / "outside").mkdir()
    (tmp_path / "m" / "aliases.json").write_text(json.dumps({"prod": value}))
    before = _tree(tmp_path)
    with pytest.raises(EngineError) as err:
        reg.get_alias(tmp_path, "m", "prod")
    message = str(err.value)
    assert "the prod alias in" in message and "aliases.json" in message
    assert f"is {value!r}, which is not a build of model m" in message
    assert "restore it from a backup of the registry" in message
    assert _tree(tmp_path) == before


def test_an_alias_to_a_missing_or_symlinked_build_is_refused(tmp_path: Path) -> None:
    _register(tmp_path)
    elsewhere = tmp_path / "elsewhere" / "1.0.0+5"
    elsewhere.mkdir(parents=True)
    os.symlink(elsewhere, tmp_path / "m" / "1.0.0+5")  # a build name, leading outside
    for build, said in (("1.0.0+9", "has no such build folder"), ("1.0.0+5", "outside")):
        (tmp_path / "m" / "aliases.json").write_text(json.dumps({"prod": build}))
        with pytest.raises(EngineError, match=said):
            reg.get_alias(tmp_path, "m", "prod")


def test_a_model_folder_that_leads_outside_the_registry_serves_nothing(tmp_path: Path) -> None:
    registry, elsewhere = tmp_path / "registry", tmp_path / "elsewhere"
    _register(elsewhere)
    reg.set_alias(elsewhere, "m", "prod", "1.0.0+1")
    registry.mkdir()
    os.symlink(elsewhere / "m", registry / "m")
    with pytest.raises(EngineError, match=r"resolves to .*elsewhere/m/1\.0\.0\+1, outside"):
        reg.get_alias(registry, "m", "prod")


def test_a_rollback_to_a_hostile_history_entry_changes_nothing(tmp_path: Path) -> None:
    for _ in range(2):
        _register(tmp_path)
    reg.set_alias(tmp_path, "m", "prod", "1.0.0+1")
    reg.set_alias(tmp_path, "m", "prod", "1.0.0+2")
    (tmp_path / "m" / "alias-history.json").write_text(json.dumps({"prod": ["../..", "1.0.0+2"]}))
    before = _tree(tmp_path)
    with pytest.raises(EngineError, match=r"the prod history in .*alias-history\.json is '\.\./\.\.'"):
        reg.rollback_alias(tmp_path, "m", "prod")
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["aliases.json", "alias-history.json"])
def test_a_hostile_alias_file_is_a_clear_error(tmp_path: Path, kind: str, name: str) -> None:
    for _ in range(2):
        _register(tmp_path)
    reg.set_alias(tmp_path, "m", "prod", "1.0.0+1")
    reg.set_alias(tmp_path, "m", "prod", "1.0.0+2")
    path = tmp_path / "m" / name
    path.unlink()
    plant(path, kind)
    with pytest.raises(EngineError) as err:
        reg.get_alias(tmp_path, "m", "prod") if name == "aliases.json" else reg.rollback_alias(
            tmp_path, "m", "prod"
        )
    message = str(err.value)
    assert f"cannot read registry file {path}" in message and EXPECTED[kind] in message
    assert "restore it from a backup of the registry" in message


def test_an_alias_file_that_is_not_an_object_is_a_clear_error(tmp_path: Path) -> None:
    _register(tmp_path)
    (tmp_path / "m" / "aliases.json").write_text('["1.0.0+1"]')
    with pytest.raises(EngineError, match=r"aliases\.json is not a JSON object \(target -> build\)"):
        reg.get_alias(tmp_path, "m", "prod")


def test_a_model_version_directory_means_its_latest_build(tmp_path: Path) -> None:
    first, later = _register(tmp_path), _register(tmp_path)
    assert reg.resolve_build_dir(tmp_path / "m" / "1.0.0") == later.path
    assert reg.resolve_build_dir(first.path) == first.path
    with pytest.raises(EngineError, match="neither a registered build"):
        reg.resolve_build_dir(tmp_path / "m" / "9.9.9")
    with pytest.raises(EngineError, match=r"no manifest\.json"):
        reg.resolve_build_dir(tmp_path)


@pytest.mark.parametrize(
    ("name", "ok"),
    [("1.0.0+1", True), ("2.0.1-rc.1+12", True), ("2.0.1+1+1", True), ("../..", False),
     ("1.0.0", False), ("+1", False), ("1.0.0+1/x", False), ("1..0+1", False), (None, False)],
)
def test_build_names(name: object, ok: bool) -> None:
    assert reg.is_build_name(name) is ok
