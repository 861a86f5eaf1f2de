"""The local registry: build numbers, the sha256 manifest checked before unpickling, aliases and rollback."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from modelspec.errors import EngineError
from modelspec.registry import local as reg


def _model_bytes(value: object) -> bytes:
    buffer = io.BytesIO()
    reg.joblib_module().dump(value, buffer)
    return buffer.getvalue()


def _register(root: Path, version: str = "1.0.0", model: object = "a model") -> reg.Build:
    files = {"model.joblib": _model_bytes(model), "metrics.json": b'{"r2": 0.5}\n'}
    return reg.register_build(root, "m", version, files)


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
    for name in ("model.joblib", "metrics.json"):
        digest = hashlib.sha256((build.path / name).read_bytes()).hexdigest()
        assert manifest["files"][name] == f"sha256:{digest}"
    assert build.artifact_digest == manifest["files"]["model.joblib"]
    assert reg.load_build(build.path) == "a model"


@pytest.mark.parametrize("victim", ["model.joblib", "metrics.json"])
def test_a_tampered_file_is_refused_and_never_unpickled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, victim: str
) -> None:
    build = _register(tmp_path)
    (build.path / victim).write_bytes(_model_bytes("something else"))
    monkeypatch.setattr(reg, "joblib_module", lambda: pytest.fail("unpickled a tampered build"))
    with pytest.raises(EngineError, match=f"{victim} does not match its manifest"):
        reg.load_build(build.path)


def test_a_missing_or_extra_file_is_refused(tmp_path: Path) -> None:
    build = _register(tmp_path)
    (build.path / "extra.pkl").write_bytes(b"x")
    with pytest.raises(EngineError, match=r"does not list: extra\.pkl"):
        reg.load_build(build.path)
    (build.path / "extra.pkl").unlink()
    (build.path / "metrics.json").unlink()
    with pytest.raises(EngineError, match=r"metrics\.json is missing"):
        reg.load_build(build.path)
    (build.path / "manifest.json").unlink()
    with pytest.raises(EngineError, match=r"no readable manifest\.json"):
        reg.load_build(build.path)


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
