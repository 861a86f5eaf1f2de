"""Opening a build: every file checked against the digests state recorded, never against its own manifest."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile_files import EXPECTED, JSON_KINDS, plant

from modelspec.errors import EngineError
from modelspec.registry import local as reg
from modelspec.registry.modelfile import dump_model
from modelspec.registry.verify import BuildRecord, open_build


class Marker:
    """A pickle that creates a file when it is unpickled: the proof that nothing unpickled it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (str(self.path), "w"))


@dataclass
class Registered:
    build: reg.Build
    record: BuildRecord
    estimator: Any
    x: Any


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _register(root: Path, c: float = 1.0) -> Registered:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1], [0.5, 0.4], [0.4, 0.6]])
    estimator = LogisticRegression(C=c).fit(x, [0, 1, 0, 1, 1, 0])
    files = {
        "model.joblib": pickle.dumps(estimator),
        "model.skops": dump_model(estimator, "model m"),
        "signature.json": b'{"inputs": [{"name": "a"}, {"name": "b"}]}\n',
        "metrics.json": b'{"r2": 0.5}\n',
    }
    build = reg.register_build(root, "m", "1.0.0", files)
    return Registered(build, BuildRecord("m", build.build, build.files), estimator, x)


@pytest.fixture
def registered(tmp_path: Path) -> Registered:
    return _register(tmp_path / "registry")


def _rewrite_manifest(path: Path) -> None:
    """What an attacker of the registry folder does: a manifest that vouches for the new files."""
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"] = {
        p.name: _sha(p.read_bytes()) for p in sorted(path.iterdir()) if p.name != "manifest.json"
    }
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def test_a_build_opens_against_its_record_and_loads_from_skops(registered: Registered) -> None:
    opened = open_build(registered.build.path, registered.record)
    assert (opened.model, opened.build) == ("m", "1.0.0+1")
    assert opened.json("signature.json") == {"inputs": [{"name": "a"}, {"name": "b"}]}
    assert "model.joblib" not in opened.contents  # checked, never kept for loading
    loaded = opened.estimator()
    assert loaded.predict(registered.x).tolist() == registered.estimator.predict(registered.x).tolist()


@pytest.mark.parametrize("victim", ["model.joblib", "model.skops", "metrics.json"])
def test_a_file_rewritten_with_its_manifest_is_refused(
    registered: Registered, tmp_path: Path, victim: str
) -> None:
    path = registered.build.path
    marker = tmp_path / "unpickled"
    content = pickle.dumps(Marker(marker)) if victim == "model.joblib" else b"something else"
    (path / victim).write_bytes(content)
    recorded_manifest = registered.record.files["manifest.json"]
    _rewrite_manifest(path)  # the manifest now agrees with the files: it vouches for nothing
    with pytest.raises(EngineError) as err:
        open_build(path, registered.record)
    message = str(err.value)
    assert f"registry build m 1.0.0+1 ({path}): manifest.json does not match the digest in state" in message
    assert _sha((path / "manifest.json").read_bytes()) in message and recorded_manifest in message
    assert "restore the build from a backup of the registry" in message
    assert not marker.exists()


@pytest.mark.parametrize("victim", ["model.joblib", "model.skops", "metrics.json"])
def test_a_tampered_file_names_itself_and_both_digests(registered: Registered, victim: str) -> None:
    path = registered.build.path
    content = (path / victim).read_bytes()
    (path / victim).write_bytes(content[: len(content) // 2])  # cut in half
    with pytest.raises(EngineError) as err:
        open_build(path, registered.record)
    message = str(err.value)
    assert f"{victim} does not match its manifest: it is {_sha(content[: len(content) // 2])}" in message
    assert f"state recorded {registered.record.files[victim]}" in message
    assert "the build was altered and is not loaded" in message


def test_another_builds_files_do_not_pass_for_this_one(tmp_path: Path) -> None:
    first = _register(tmp_path / "registry", c=1.0)
    second = _register(tmp_path / "registry", c=0.01)
    skops = (second.build.path / "model.skops").read_bytes()
    (first.build.path / "model.skops").write_bytes(skops)  # one file swapped in
    with pytest.raises(EngineError, match=r"model\.skops does not match its manifest"):
        open_build(first.build.path, first.record)
    with pytest.raises(EngineError, match=r"manifest\.json does not match the digest in state"):
        open_build(second.build.path, first.record)  # a whole other build under this name


def test_a_missing_or_extra_file_is_refused(registered: Registered) -> None:
    path = registered.build.path
    (path / "extra.pkl").write_bytes(b"x")
    with pytest.raises(EngineError, match=r"holds files its manifest does not list: extra\.pkl"):
        open_build(path, registered.record)
    (path / "extra.pkl").unlink()
    (path / "metrics.json").unlink()
    with pytest.raises(EngineError, match=r"metrics\.json is missing"):
        open_build(path, registered.record)
    (path / "manifest.json").unlink()
    with pytest.raises(EngineError, match=r"no readable manifest\.json"):
        open_build(path, registered.record)


def test_a_fifo_in_a_build_is_refused_without_waiting(registered: Registered) -> None:
    path = registered.build.path / "metrics.json"
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(EngineError, match=r"metrics\.json is refused: not a regular file"):
        open_build(registered.build.path, registered.record)


def test_a_record_that_does_not_match_the_manifest_listing_is_refused(registered: Registered) -> None:
    files = {**registered.record.files, "metrics.json": _sha(b"other")}
    with pytest.raises(EngineError, match="is not the one state recorded for it"):
        open_build(registered.build.path, BuildRecord("m", "1.0.0+1", files))
    with pytest.raises(EngineError, match="is not the one state recorded for it"):
        open_build(registered.build.path, BuildRecord("m", "1.0.0+2", registered.record.files))


@pytest.mark.parametrize("kind", JSON_KINDS)
def test_a_hostile_manifest_is_a_clear_error_even_when_state_vouches_for_it(
    registered: Registered, kind: str
) -> None:
    """An attacker who can write state too: still a clear error, never a crash."""
    path = registered.build.path / "manifest.json"
    path.unlink()
    plant(path, kind)
    record = BuildRecord("m", "1.0.0+1", {**registered.record.files, "manifest.json": _sha(path.read_bytes())})
    with pytest.raises(EngineError) as err:
        open_build(registered.build.path, record)
    assert "manifest.json cannot be read: " in str(err.value) and EXPECTED[kind] in str(err.value)


def test_a_truncated_skops_file_that_state_vouches_for_is_a_clear_error(registered: Registered) -> None:
    path = registered.build.path
    content = (path / "model.skops").read_bytes()
    (path / "model.skops").write_bytes(content[: len(content) // 2])
    _rewrite_manifest(path)
    files = {p.name: _sha(p.read_bytes()) for p in path.iterdir()}
    opened = open_build(path, BuildRecord("m", "1.0.0+1", files))
    with pytest.raises(EngineError, match=r"model\.skops is not a readable skops archive"):
        opened.estimator()


def test_a_build_json_file_is_read_bounded(registered: Registered) -> None:
    path = registered.build.path
    (path / "metrics.json").write_bytes(b"[" * 5000 + b"]" * 5000)
    _rewrite_manifest(path)
    files = {p.name: _sha(p.read_bytes()) for p in path.iterdir()}
    opened = open_build(path, BuildRecord("m", "1.0.0+1", files))
    with pytest.raises(EngineError, match=r"metrics\.json cannot be read: nested more than 100"):
        opened.json("metrics.json")
