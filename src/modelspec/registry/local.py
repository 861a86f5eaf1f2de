"""The local model registry: immutable builds `<model>/<version>+<N>/` with a sha256 manifest, and aliases."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelspec.errors import EngineError

__all__ = [
    "MODEL_FILE",
    "Build",
    "alias_history",
    "build_numbers",
    "get_alias",
    "joblib_module",
    "latest_build",
    "load_build",
    "read_build_json",
    "register_build",
    "rollback_alias",
    "set_alias",
    "verify_build",
]

MODEL_FILE = "model.joblib"
MANIFEST = "manifest.json"
ALIASES = "aliases.json"
HISTORY = "alias-history.json"
FORMAT_VERSION = 1
_BUILD = re.compile(r"^(?P<version>.+)\+(?P<n>[0-9]+)$")


@dataclass(frozen=True)
class Build:
    """A registered build: where it is and what its manifest says."""

    model: str
    build: str  # "1.0.0+2"
    path: Path
    artifact_digest: str  # sha256 of model.joblib
    manifest_digest: str  # sha256 of manifest.json


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def build_numbers(registry: Path, model: str, version: str) -> list[int]:
    """The build numbers registered for a model version, ascending."""
    directory = registry / model
    if not directory.is_dir():
        return []
    numbers = []
    for child in directory.iterdir():
        match = _BUILD.match(child.name)
        if match and match["version"] == version and child.is_dir():
            numbers.append(int(match["n"]))
    return sorted(numbers)


def latest_build(registry: Path, model: str, version: str) -> str | None:
    numbers = build_numbers(registry, model, version)
    return f"{version}+{numbers[-1]}" if numbers else None


def register_build(registry: Path, model: str, version: str, files: Mapping[str, bytes]) -> Build:
    """Write files as the next build of model@version, atomically (a complete directory or none)."""
    if MODEL_FILE not in files or MANIFEST in files:
        raise ValueError(f"a build needs {MODEL_FILE} and must not bring its own {MANIFEST}")
    directory = registry / model
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=directory))
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        while True:
            numbers = build_numbers(registry, model, version)
            build = f"{version}+{(numbers[-1] if numbers else 0) + 1}"
            digests = {name: _sha256(content) for name, content in sorted(files.items())}
            manifest = {
                "format_version": FORMAT_VERSION,
                "model": model,
                "build": build,
                "files": digests,
            }
            manifest_bytes = _json_bytes(manifest)
            (staging / MANIFEST).write_bytes(manifest_bytes)
            _fsync_dir_files(staging)
            try:
                os.rename(staging, directory / build)
            except OSError:
                if (directory / build).exists():
                    continue  # another run took this number; take the next
                raise
            return Build(
                model,
                build,
                directory / build,
                digests[MODEL_FILE],
                _sha256(manifest_bytes),
            )
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _fsync_dir_files(directory: Path) -> None:
    for child in directory.iterdir():
        with open(child, "rb") as handle:
            os.fsync(handle.fileno())


def verify_build(path: Path) -> dict[str, Any]:
    """The manifest, after checking every file's sha256; a mismatch is an EngineError."""
    try:
        manifest = json.loads((path / MANIFEST).read_bytes())
    except (OSError, ValueError) as exc:
        raise EngineError(f"registry build {path} has no readable {MANIFEST}: {exc}") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(manifest, dict) or not isinstance(files, dict) or MODEL_FILE not in files:
        raise EngineError(f"registry build {path}: {MANIFEST} does not list {MODEL_FILE}")
    present = {p.name for p in path.iterdir()} - {MANIFEST}
    extra = sorted(present - set(files))
    if extra:
        raise EngineError(
            f"registry build {path} holds files its manifest does not list: {', '.join(extra)}"
        )
    for name, expected in sorted(files.items()):
        try:
            actual = _sha256((path / name).read_bytes())
        except OSError:
            raise EngineError(f"registry build {path}: {name} is missing") from None
        if actual != expected:
            raise EngineError(
                f"registry build {path}: {name} does not match its manifest "
                f"(sha256 {actual}, expected {expected}); the build was altered and is not loaded"
            )
    return manifest


def read_build_json(path: Path, name: str) -> Any:
    """A verified JSON file of a build (metrics.json, data.json, signature.json, ...)."""
    verify_build(path)
    return json.loads((path / name).read_bytes())


def joblib_module() -> Any:
    """joblib (scikit-learn's own dependency), imported when a model is saved or loaded."""
    return importlib.import_module("joblib")


def load_build(path: Path) -> Any:
    """The fitted model of a build; every file's sha256 is verified before anything is unpickled."""
    manifest = verify_build(path)
    expected = manifest["files"][MODEL_FILE]
    content = (path / MODEL_FILE).read_bytes()
    if _sha256(content) != expected:  # re-read what is unpickled, in case it changed since
        raise EngineError(f"registry build {path}: {MODEL_FILE} changed while it was loaded")
    return joblib_module().load(io.BytesIO(content))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise EngineError(f"cannot read {path}: {exc}") from None
    return value if isinstance(value, dict) else {}


def _write_json(path: Path, value: Any) -> None:
    from modelspec.files import write_atomic

    write_atomic(path, _json_bytes(value))


def get_alias(registry: Path, model: str, target: str) -> str | None:
    """The build a target's alias points at ("1.0.0+2"), or None."""
    value = _read_json(registry / model / ALIASES).get(target)
    return value if isinstance(value, str) else None


def alias_history(registry: Path, model: str, target: str) -> list[str]:
    """Every build the target's alias pointed at, oldest first (the current one last)."""
    value = _read_json(registry / model / HISTORY).get(target, [])
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def set_alias(registry: Path, model: str, target: str, build: str) -> str | None:
    """Point the target's alias at a build; returns the build it pointed at before."""
    if not (registry / model / build).is_dir():
        raise EngineError(f"model {model} has no registered build {build}")
    aliases = _read_json(registry / model / ALIASES)
    before = aliases.get(target)
    if before != build:
        history = _read_json(registry / model / HISTORY)
        entries = [*alias_history(registry, model, target), build]
        history[target] = entries
        _write_json(registry / model / HISTORY, dict(sorted(history.items())))
        aliases[target] = build
        _write_json(registry / model / ALIASES, dict(sorted(aliases.items())))
    return before if isinstance(before, str) else None


def rollback_alias(registry: Path, model: str, target: str) -> tuple[str, str]:
    """Move the target's alias back to the build it pointed at before; (from, to)."""
    current = get_alias(registry, model, target)
    history = alias_history(registry, model, target)
    while history and history[-1] == current:
        history.pop()
    if current is None or not history:
        raise EngineError(f"the {target} alias of {model} has no earlier build to roll back to")
    previous = history[-1]
    aliases = _read_json(registry / model / ALIASES)
    aliases[target] = previous
    _write_json(registry / model / ALIASES, dict(sorted(aliases.items())))
    all_history = _read_json(registry / model / HISTORY)
    all_history[target] = history  # the rolled-back build leaves the history
    _write_json(registry / model / HISTORY, dict(sorted(all_history.items())))
    return current, previous
