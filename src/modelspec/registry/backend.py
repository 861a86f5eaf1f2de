"""The model registry behind one interface: the local folder (default) or an MLflow model registry.

`registry_for(project)` picks the backend `registry.backend` names in
modelspec.yaml. Every backend registers a build (the same files, the same
manifest.json), moves a target's alias and keeps its history, and hands a
build back as a local folder, which registry/verify.py then checks against
the digests state recorded before anything in it is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from modelspec.registry import local
from modelspec.registry.local import Build

if TYPE_CHECKING:
    from modelspec.project import Project

__all__ = [
    "LocalRegistry",
    "Registered",
    "RegistryBackend",
    "TrainingRun",
    "registry_for",
]


@dataclass(frozen=True)
class TrainingRun:
    """What produced a build, for a registry that records it (MLflow's run); the local one does not."""

    estimator: str
    params: Mapping[str, Any]
    best_params: Mapping[str, Any]
    metrics: Mapping[str, float]
    spec_digest: str
    data_digest: str
    sklearn_version: str | None = None


@dataclass(frozen=True)
class Registered:
    """A build just registered, and what the Model's outputs in state record of where it is."""

    build: Build
    outputs: Mapping[str, Any] = field(default_factory=dict)  # registry_path, and the backend's own


class RegistryBackend(Protocol):
    """Where builds are registered and where targets' aliases point."""

    def register(
        self, model: str, version: str, files: Mapping[str, bytes], run: TrainingRun
    ) -> Registered:
        """files as the next build `<version>+<N>` of model, whole or not at all."""
        ...

    def get_alias(self, model: str, target: str) -> str | None:
        """The build the target's alias names, or None."""
        ...

    def set_alias(self, model: str, target: str, build: str) -> str | None:
        """Point the target's alias at a build; the build it named before."""
        ...

    def rollback_alias(self, model: str, target: str) -> tuple[str, str]:
        """Move the alias back to the build it named before; (from, to)."""
        ...

    def alias_history(self, model: str, target: str) -> list[str]:
        """Every build the alias named, oldest first."""
        ...

    def alias_location(self, model: str) -> str:
        """Where a model's aliases are kept, for messages."""
        ...

    def fetch_build(self, model: str, build: str) -> Path:
        """A local folder holding exactly the build's files, for verify.open_build to check."""
        ...

    def deployed_outputs(self, model: str, build: str) -> Mapping[str, Any]:
        """What a Deployment records beyond the build's name and digest (where runtimes read it)."""
        ...


class LocalRegistry:
    """The registry as a folder (`registry.path`): registry/local.py's layout."""

    def __init__(self, path: Path, root: Path | None = None) -> None:
        self.path = path
        self.root = root  # registry_path is recorded relative to the project

    def register(
        self, model: str, version: str, files: Mapping[str, bytes], run: TrainingRun
    ) -> Registered:
        build = local.register_build(self.path, model, version, files)
        return Registered(build, {"registry_path": _relative(build.path, self.root)})

    def get_alias(self, model: str, target: str) -> str | None:
        return local.get_alias(self.path, model, target)

    def set_alias(self, model: str, target: str, build: str) -> str | None:
        return local.set_alias(self.path, model, target, build)

    def rollback_alias(self, model: str, target: str) -> tuple[str, str]:
        return local.rollback_alias(self.path, model, target)

    def alias_history(self, model: str, target: str) -> list[str]:
        return local.alias_history(self.path, model, target)

    def alias_location(self, model: str) -> str:
        return str(self.path / model / local.ALIASES)

    def fetch_build(self, model: str, build: str) -> Path:
        return local.build_path(self.path, model, build, f"build {build} of model {model}")

    def deployed_outputs(self, model: str, build: str) -> Mapping[str, Any]:
        return {}


def _relative(path: Path, root: Path | None) -> str:
    if root is None:
        return path.as_posix()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def registry_for(project: Project) -> RegistryBackend:
    """The registry modelspec.yaml names: `local` (default) or `mlflow` (MLFLOW_TRACKING_URI)."""
    if project.config.registry.backend == "mlflow":
        from modelspec.registry.mlflow import MlflowRegistry

        return MlflowRegistry(project.work_dir / "mlflow-builds", project.config.registry.uri)
    return LocalRegistry(project.registry_dir, project.root)
