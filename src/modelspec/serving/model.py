"""The model a server answers with: a verified, loaded build and the input signature it was trained on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelspec.errors import EngineError
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.registry.verify import VerifiedBuild

__all__ = [
    "ServedModel",
    "load_served_model",
    "resolve_build_dir",
    "served_model",
]


@dataclass(frozen=True)
class ServedModel:
    """A verified, loaded build and the input signature it was trained with."""

    name: str
    build: str
    estimator: Any
    signature: dict[str, Any]
    features: tuple[str, ...]  # signature order: how list instances are read
    numeric: tuple[str, ...]


def resolve_build_dir(path: Path) -> Path:
    """A build directory; `<registry>/<model>/<version>` means that version's latest build."""
    from modelspec.registry import local

    return local.resolve_build_dir(path)


def served_model(build: VerifiedBuild) -> ServedModel:
    """The model to serve from a build the registry verified (registry/trust.py): its signature
    checked, its estimator loaded; a build without a usable signature is an EngineError."""
    where = f"registry build {build.model} {build.build} ({build.path})"
    signature = build.json("signature.json")
    inputs = signature.get("inputs") if isinstance(signature, dict) else None
    if not isinstance(inputs, list) or not inputs:
        raise EngineError(f"{where}: signature.json lists no inputs")
    if not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in inputs):
        raise EngineError(f"{where}: signature.json has an input without a name")
    return ServedModel(
        name=build.model,
        build=build.build,
        estimator=build.estimator(),
        signature=signature,
        features=tuple(i["name"] for i in inputs),
        numeric=tuple(i["name"] for i in inputs if i.get("kind") == "numeric"),
    )


def load_served_model(path: Path, project: Project | None = None) -> ServedModel:
    """The build at path (`<model>/<version>` means its latest), verified against what the
    project's state recorded for it; the project is the one path lies in unless given."""
    from modelspec.project import load_project
    from modelspec.registry.trust import open_build_dir

    directory = resolve_build_dir(path)
    if project is None:
        project, _ = load_project(directory)
        if project is None:
            raise EngineError(
                f"{directory} is not inside a modelspec project, whose state verifies its builds"
            )
    return served_model(open_build_dir(project, directory))
