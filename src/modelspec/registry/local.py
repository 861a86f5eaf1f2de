"""The local model registry on disk: immutable builds `<model>/<version>+<N>/` with a manifest, and aliases.

What is on disk here is never trusted by itself: a build is loaded only after
its files match the digests state recorded when apply registered it
(registry/verify.py, registry/trust.py). This module keeps the layout: builds
written whole or not at all, build names that stay one folder directly under
their model, and aliases read as bounded JSON.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelspec import jsonio
from modelspec.errors import EngineError
from modelspec.files import ReadRefused, read_regular
from modelspec.registry.modelfile import SKOPS_FILE

__all__ = [
    "MANIFEST",
    "MAX_JSON_BYTES",
    "MODEL_FILE",
    "SKOPS_FILE",
    "Build",
    "alias_history",
    "build_manifest",
    "build_numbers",
    "build_path",
    "get_alias",
    "is_build_name",
    "joblib_module",
    "latest_build",
    "read_registry_json",
    "register_build",
    "resolve_build_dir",
    "rollback_alias",
    "set_alias",
    "sha256",
]

MODEL_FILE = "model.joblib"  # the pickle, for runtimes that require one (KServe's sklearn server)
MANIFEST = "manifest.json"
ALIASES = "aliases.json"
HISTORY = "alias-history.json"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 64 << 20  # manifests, aliases and a build's JSON files are kilobytes
_BUILD = re.compile(r"(?P<version>.+)\+(?P<n>[0-9]+)")  # fullmatch: no `$` before "\n"
# what a build folder may be called: a version (letters, digits, '.', '-', '+') and its number
_BUILD_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+-]*\+[0-9]+")


@dataclass(frozen=True)
class Build:
    """A registered build: where it is, and the sha256 of each of its files (manifest included)."""

    model: str
    build: str  # "1.0.0+2"
    path: Path
    files: Mapping[str, str]  # file name -> "sha256:<hex>", manifest.json among them

    @property
    def artifact_digest(self) -> str:
        """The sha256 of model.joblib."""
        return self.files[MODEL_FILE]

    @property
    def manifest_digest(self) -> str:
        return self.files[MANIFEST]


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return (jsonio.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def build_numbers(registry: Path, model: str, version: str) -> list[int]:
    """The build numbers registered for a model version, ascending."""
    directory = registry / model
    if not directory.is_dir():
        return []
    numbers = []
    for child in directory.iterdir():
        match = _BUILD.fullmatch(child.name)
        if match and match["version"] == version and child.is_dir():
            numbers.append(int(match["n"]))
    return sorted(numbers)


def latest_build(registry: Path, model: str, version: str) -> str | None:
    numbers = build_numbers(registry, model, version)
    return f"{version}+{numbers[-1]}" if numbers else None


def is_build_name(value: object) -> bool:
    """True for a build folder's name, "<version>+<N>": one path segment, never `..`."""
    return isinstance(value, str) and bool(_BUILD_NAME.fullmatch(value)) and ".." not in value


def build_path(registry: Path, model: str, build: object, where: str) -> Path:
    """The folder of a model's build, when build names one directly under the model's folder.

    where says where the name came from ("the prod alias in .../aliases.json"). A
    name with a separator or `..`, or a folder that is missing or (through a
    symlink) lies elsewhere, is an EngineError: nothing outside the registry is served.
    """
    directory = registry / model
    if not is_build_name(build):
        raise EngineError(
            f"{where} is {build!r}, which is not a build of model {model} (a <version>+<N> "
            f"folder directly in {directory}); restore it from a backup of the registry"
        )
    path = directory / str(build)
    try:
        found = path.is_dir()
        resolved = path.resolve()
        inside = resolved.parent == directory.resolve() and resolved.parent.parent == registry.resolve()
    except (OSError, RuntimeError):
        found = inside = False
    if not found:
        raise EngineError(
            f"{where} is {build!r}, but {directory} has no such build folder; "
            "restore the registry from a backup, or apply the model again"
        )
    if not inside:
        raise EngineError(
            f"{where} is {build!r}, whose folder resolves to {resolved}, outside {registry}; "
            "nothing outside the registry is loaded: restore the registry from a backup"
        )
    return path


def resolve_build_dir(path: Path) -> Path:
    """A build directory; `<registry>/<model>/<version>` means that version's latest build."""
    if (path / MANIFEST).is_file():
        return path
    if not path.exists():
        build = latest_build(path.parent.parent, path.parent.name, path.name)
        if build is not None:
            return path.parent / build
        raise EngineError(f"{path} is neither a registered build nor a model version with builds")
    raise EngineError(f"{path} is not a registered build (it has no {MANIFEST})")


def build_manifest(model: str, build: str, digests: Mapping[str, str]) -> bytes:
    """The manifest.json of a build: the sha256 of every other file (every registry writes this)."""
    manifest = {"format_version": FORMAT_VERSION, "model": model, "build": build, "files": dict(digests)}
    return _json_bytes(manifest)


def register_build(registry: Path, model: str, version: str, files: Mapping[str, bytes]) -> Build:
    """Write files as the next build of model@version, atomically (a complete directory or none).

    The build is immutable from then on: nothing in modelspec writes into it again.
    """
    if MODEL_FILE not in files or SKOPS_FILE not in files or MANIFEST in files:
        raise ValueError(
            f"a build needs {MODEL_FILE} and {SKOPS_FILE} and must not bring its own {MANIFEST}"
        )
    directory = registry / model
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=directory))
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        digests = {name: sha256(content) for name, content in sorted(files.items())}
        while True:
            numbers = build_numbers(registry, model, version)
            build = f"{version}+{(numbers[-1] if numbers else 0) + 1}"
            manifest_bytes = build_manifest(model, build, digests)
            (staging / MANIFEST).write_bytes(manifest_bytes)
            _fsync_dir_files(staging)
            try:
                os.rename(staging, directory / build)
            except OSError:
                if (directory / build).exists():
                    continue  # another run took this number; take the next
                raise
            return Build(model, build, directory / build, {**digests, MANIFEST: sha256(manifest_bytes)})
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _fsync_dir_files(directory: Path) -> None:
    for child in directory.iterdir():
        with open(child, "rb") as handle:
            os.fsync(handle.fileno())


def joblib_module() -> Any:
    """joblib (scikit-learn's own dependency), imported when model.joblib is written."""
    return importlib.import_module("joblib")


def read_registry_json(path: Path, what: str) -> Any:
    """A registry JSON file, bounded in size and depth; FileNotFoundError when it is missing.

    Anything else that keeps it from being read is an EngineError naming the file.
    """
    try:
        return jsonio.loads(read_regular(path, limit=MAX_JSON_BYTES))
    except FileNotFoundError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
    except (ReadRefused, jsonio.JsonRefused) as exc:
        reason = str(exc)
    raise EngineError(f"cannot read {what} {path}: {reason}; restore it from a backup of the registry")


def _read_object(path: Path) -> dict[str, Any]:
    try:
        value = read_registry_json(path, "registry file")
    except FileNotFoundError:
        return {}
    if not isinstance(value, dict):
        raise EngineError(
            f"registry file {path} is not a JSON object (target -> build); "
            "restore it from a backup of the registry"
        )
    return value


def _write_json(path: Path, value: Any) -> None:
    from modelspec.files import write_atomic

    write_atomic(path, _json_bytes(value))


def get_alias(registry: Path, model: str, target: str) -> str | None:
    """The build a target's alias points at ("1.0.0+2"), or None; a value that is not a build
    folder directly under the model's is an EngineError, never a path to follow."""
    path = registry / model / ALIASES
    value = _read_object(path).get(target)
    if value is None:
        return None
    build_path(registry, model, value, f"the {target} alias in {path}")
    return str(value)


def alias_history(registry: Path, model: str, target: str) -> list[str]:
    """Every build the target's alias pointed at, oldest first (the current one last)."""
    value = _read_object(registry / model / HISTORY).get(target, [])
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def set_alias(registry: Path, model: str, target: str, build: str) -> str | None:
    """Point the target's alias at a build; returns the build it pointed at before."""
    if not is_build_name(build) or not (registry / model / build).is_dir():
        raise EngineError(f"model {model} has no registered build {build}")
    aliases = _read_object(registry / model / ALIASES)
    before = aliases.get(target)
    if before != build:
        history = _read_object(registry / model / HISTORY)
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
    build_path(registry, model, previous, f"the {target} history in {registry / model / HISTORY}")
    aliases = _read_object(registry / model / ALIASES)
    aliases[target] = previous
    _write_json(registry / model / ALIASES, dict(sorted(aliases.items())))
    all_history = _read_object(registry / model / HISTORY)
    all_history[target] = history  # the rolled-back build leaves the history
    _write_json(registry / model / HISTORY, dict(sorted(all_history.items())))
    return current, previous
