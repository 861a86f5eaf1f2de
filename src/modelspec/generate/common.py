"""Shared pieces of artifact rendering: the Artifact record, the render context, YAML and paths."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = [
    "ENGINES",
    "MANAGED_BY",
    "Artifact",
    "RenderContext",
    "dump_yaml",
    "label_value",
    "quantity",
    "registry_volume",
    "safe_join",
    "yaml_artifact",
]

ENGINES = ("local", "argo", "kubeflow")
MANAGED_BY = "modelspec"


@dataclass(frozen=True)
class Artifact:
    """One generated file: a posix path relative to the project's generated/ dir, and its bytes."""

    path: str
    content: bytes

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class RenderContext:
    """Project-wide settings every renderer may read."""

    project: str
    engine: str  # "local" | "argo" | "kubeflow"
    image: str  # the container image that runs `modelspec` steps and serving
    registry_uri: str  # e.g. "pvc://modelspec-registry"; a model lives at <uri>/<name>/<version>

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown pipeline engine {self.engine!r}; expected one of {ENGINES}")


def registry_volume(registry_uri: str) -> tuple[str, str] | None:
    """(claim, sub-path in it) when registry.uri is `pvc://<claim>[/<sub>]`; None otherwise."""
    if not registry_uri.startswith("pvc://"):
        return None
    claim, _, sub = registry_uri.removeprefix("pvc://").partition("/")
    return (claim, sub.strip("/")) if claim else None


def safe_join(*parts: str) -> str:
    """Join path parts into a posix path that is guaranteed to stay inside generated/.

    Raises ValueError for an absolute path, a drive letter, `..` or `.`, a
    backslash, a NUL byte or an empty part (`a//b`, a trailing `/`).
    """
    path = "/".join(parts)
    if not path:
        raise ValueError("empty artifact path")
    if "\\" in path or "\x00" in path:
        raise ValueError(f"artifact path {path!r} contains a backslash or NUL byte")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise ValueError(f"artifact path {path!r} is absolute")
    for part in path.split("/"):
        if part in ("", ".", ".."):
            raise ValueError(f"artifact path {path!r} has an empty, '.' or '..' part")
    return path


# Plain (unquoted) scalars are allowed only for strings no YAML resolver could
# read as anything else: YAML 1.1 (PyYAML), YAML 1.2 (ruamel) or go-yaml
# (kubectl). A letter first (after at most two dashes, as in `--port`) rules
# out numbers, dates and `.inf`; the word list rules out 1.1 booleans and
# nulls. Everything else is double-quoted.
_PLAIN_SAFE = re.compile(r"-{0,2}[A-Za-z][A-Za-z0-9._/@+-]*(:[A-Za-z0-9._/@+-]+)*")
_RESERVED_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})


class _ArtifactDumper(yaml.CSafeDumper):
    """SafeDumper that never emits aliases and quotes ambiguous strings."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.CSafeDumper, data: str) -> yaml.ScalarNode:
    plain = _PLAIN_SAFE.fullmatch(data) is not None and data.lower() not in _RESERVED_WORDS
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=None if plain else '"')


_ArtifactDumper.add_representer(str, _represent_str)


def dump_yaml(document: dict[str, Any]) -> bytes:
    """One YAML document: block style, sorted keys, no anchors, ambiguous strings quoted."""
    text = yaml.dump(
        document,
        Dumper=_ArtifactDumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
        explicit_start=False,
    )
    return text.encode("utf-8")


def yaml_artifact(path: str, document: dict[str, Any]) -> Artifact:
    return Artifact(path=safe_join(path), content=dump_yaml(document))


_LABEL_INVALID = re.compile(r"[^A-Za-z0-9._-]")


def label_value(value: str) -> str:
    """A Kubernetes label value: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends.

    Invalid characters become `_` (semver build metadata `1.0.0+3` -> `1.0.0_3`);
    the exact value is kept in an annotation where it matters.
    """
    cleaned = _LABEL_INVALID.sub("_", value)[:63]
    return cleaned.strip("._-")


def quantity(value: Any) -> str:
    """A Kubernetes resource quantity as a string (`500m`, `1Gi`, 2 -> `2`)."""
    if isinstance(value, bool):
        raise ValueError(f"not a resource quantity: {value!r}")
    return str(value)
