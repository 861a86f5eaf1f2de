"""Opening a build for modelspec's own use: every file checked against the digests state recorded.

The manifest beside the files cannot vouch for them: whoever can rewrite a
file in the registry can rewrite the manifest too. A build is therefore
opened against a BuildRecord, the sha256 of each file as apply registered it,
kept in state (registry/trust.py reads it). Each file is read once, bounded,
and its bytes are checked before anything parses them; what is parsed is
those same bytes, so a file swapped after the check is never used.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelspec import jsonio
from modelspec.errors import EngineError
from modelspec.files import ReadRefused, read_regular
from modelspec.registry.local import MANIFEST, MAX_JSON_BYTES, MODEL_FILE, sha256
from modelspec.registry.modelfile import MAX_MODEL_BYTES, SKOPS_FILE, load_model

__all__ = ["BuildRecord", "VerifiedBuild", "open_build", "record_from_digest"]

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")  # fullmatch
_FIX = "restore the build from a backup of the registry, or retrain the model with `modelspec apply`"


@dataclass(frozen=True)
class BuildRecord:
    """What apply recorded in state when it registered a build: the sha256 of every file."""

    model: str
    build: str
    files: Mapping[str, str]  # file name -> "sha256:<hex>", manifest.json among them


@dataclass(frozen=True)
class VerifiedBuild:
    """A build whose files all matched their record; holds the checked bytes modelspec reads."""

    model: str
    build: str
    path: Path
    manifest: Mapping[str, Any]
    contents: Mapping[str, bytes] = field(repr=False)  # every file but model.joblib

    def json(self, name: str) -> Any:
        """A JSON file of the build (metrics.json, data.json, signature.json), parsed bounded."""
        if name not in self.contents:
            raise EngineError(f"registry build {self.model} {self.build} has no {name}")
        try:
            return jsonio.loads(self.contents[name])
        except jsonio.JsonRefused as exc:
            raise EngineError(f"{self.path / name} cannot be read: {exc}; {_FIX}") from None

    def estimator(self) -> Any:
        """The fitted model, rebuilt from model.skops (never from the pickle)."""
        if SKOPS_FILE not in self.contents:
            raise EngineError(
                f"registry build {self.model} {self.build} has no {SKOPS_FILE} (it predates "
                "modelspec's pickle-free model file); retrain the model with `modelspec apply`"
            )
        return load_model(self.contents[SKOPS_FILE], str(self.path / SKOPS_FILE))


def open_build(path: Path, record: BuildRecord) -> VerifiedBuild:
    """The build at path, after its manifest and every file matched record; EngineError otherwise.

    The folder must hold exactly the files the record names. Nothing is parsed
    before its bytes matched.
    """
    where = f"registry build {record.model} {record.build} ({path})"
    manifest_bytes = _read(path, MANIFEST, where, MAX_JSON_BYTES)
    _check(manifest_bytes, MANIFEST, record, where, against="the digest in state")
    try:
        manifest = jsonio.loads(manifest_bytes)
    except jsonio.JsonRefused as exc:
        raise EngineError(f"{where}: {MANIFEST} cannot be read: {exc}; {_FIX}") from None
    listed = manifest.get("files") if isinstance(manifest, dict) else None
    expected = {n: d for n, d in record.files.items() if n != MANIFEST}
    if (
        not isinstance(manifest, dict)
        or listed != expected
        or manifest.get("model") != record.model
        or manifest.get("build") != record.build
    ):
        raise EngineError(f"{where}: {MANIFEST} is not the one state recorded for it; {_FIX}")
    try:
        present = set(os.listdir(path)) - {MANIFEST}
    except OSError as exc:
        raise EngineError(f"{where} cannot be listed: {exc.strerror or exc}") from None
    extra = sorted(present - set(expected))
    if extra:
        raise EngineError(
            f"{where} holds files its manifest does not list: {', '.join(extra)}; {_FIX}"
        )
    contents: dict[str, bytes] = {}
    for name in sorted(expected):
        limit = MAX_MODEL_BYTES if name in (MODEL_FILE, SKOPS_FILE) else MAX_JSON_BYTES
        data = _read(path, name, where, limit)
        _check(data, name, record, where, against="its manifest")
        if name != MODEL_FILE:  # the pickle is checked for the runtimes that load it, never kept
            contents[name] = data
    return VerifiedBuild(record.model, record.build, path, manifest, contents)


def record_from_digest(path: Path, digest: str) -> BuildRecord:
    """The record of the build at path when all that vouches for it is the sha256 of its
    manifest.json (MODELSPEC_BUILD_DIGEST, from the rendered manifest in a cluster where no
    state file exists): the manifest must have exactly that digest, and then lists the
    digests every other file must have (open_build checks them). EngineError otherwise."""
    expected = digest if digest.startswith("sha256:") else f"sha256:{digest}"
    where = f"registry build {path}"
    if not _DIGEST.fullmatch(expected):
        raise EngineError(f"the build digest {digest!r} is not a sha256 (sha256:<64 hex digits>)")
    data = _read(path, MANIFEST, where, MAX_JSON_BYTES)
    if sha256(data) != expected:
        raise EngineError(
            f"{where}: {MANIFEST} does not match the build digest: it is {sha256(data)}, the "
            f"deployment names {expected}; the build was altered or is not the one deployed, "
            f"and is not loaded: {_FIX}"
        )
    try:
        manifest = jsonio.loads(data)
    except jsonio.JsonRefused as exc:
        raise EngineError(f"{where}: {MANIFEST} cannot be read: {exc}; {_FIX}") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    model = manifest.get("model") if isinstance(manifest, dict) else None
    build = manifest.get("build") if isinstance(manifest, dict) else None
    if (
        not isinstance(files, dict)
        or not all(isinstance(n, str) and isinstance(d, str) for n, d in files.items())
        or not isinstance(model, str)
        or not isinstance(build, str)
    ):
        raise EngineError(f"{where}: {MANIFEST} does not list the build's files; {_FIX}")
    if (path.parent.name, path.name) != (model, build):
        raise EngineError(
            f"{where}: its {MANIFEST} is that of {model} {build}, which belongs in "
            f"<registry>/{model}/{build}; {_FIX}"
        )
    return BuildRecord(model, build, {**files, MANIFEST: expected})


def _read(path: Path, name: str, where: str, limit: int) -> bytes:
    try:
        return read_regular(path / name, limit=limit)
    except FileNotFoundError:
        if name == MANIFEST:
            raise EngineError(f"{where} has no readable {MANIFEST}; {_FIX}") from None
        raise EngineError(f"{where}: {name} is missing; {_FIX}") from None
    except OSError as exc:
        raise EngineError(f"{where}: {name} cannot be read: {exc.strerror or exc}; {_FIX}") from None
    except ReadRefused as exc:
        raise EngineError(f"{where}: {name} is refused: {exc}; {_FIX}") from None


def _check(data: bytes, name: str, record: BuildRecord, where: str, *, against: str) -> None:
    actual, expected = sha256(data), record.files.get(name)
    if actual != expected:
        raise EngineError(
            f"{where}: {name} does not match {against}: it is {actual}, state recorded "
            f"{expected} when apply registered the build; the build was altered and is not "
            f"loaded: {_FIX}"
        )
