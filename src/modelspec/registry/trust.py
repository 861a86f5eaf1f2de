"""Which build to trust, by what state recorded: the digests of each registered build, and what apply deployed.

State is written by apply, the registry's one writer, in a place the registry
folder does not hold. Each Model's outputs keep `builds`: every build apply
registered for it, with the sha256 of each file. A Deployment's outputs keep
`model_build`, the build apply pointed its target's alias at. `serve`,
`monitor` and batch scoring open a build only through here: the alias must
agree with state, and the files with the digests state recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelspec.compile.address import Address
from modelspec.errors import EngineError
from modelspec.registry.backend import LocalRegistry, RegistryBackend, registry_for
from modelspec.registry.local import Build, is_build_name, resolve_build_dir
from modelspec.registry.verify import BuildRecord, VerifiedBuild, open_build

if TYPE_CHECKING:
    from modelspec.project import Project
    from modelspec.state import State

__all__ = [
    "BUILDS",
    "builds_output",
    "deployed_build",
    "deployed_record",
    "merged_builds",
    "open_build_dir",
    "open_deployed",
    "open_registered",
    "read_state",
    "record_for",
    "record_for_dir",
    "recorded_builds",
]

BUILDS = "builds"  # a Model's output: build -> {file name -> sha256}
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")  # fullmatch


def builds_output(build: Build) -> dict[str, dict[str, str]]:
    """The `builds` output for a build just registered."""
    return {build.build: dict(sorted(build.files.items()))}


def recorded_builds(outputs: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """The well-formed `builds` entries of a Model's outputs (others are ignored: unverifiable)."""
    value = (outputs or {}).get(BUILDS)
    if not isinstance(value, dict):
        return {}
    return {
        build: dict(files)
        for build, files in value.items()
        if is_build_name(build)
        and isinstance(files, dict)
        and files
        and all(isinstance(n, str) and isinstance(d, str) and _DIGEST.fullmatch(d) for n, d in files.items())
    }


def merged_builds(previous: Mapping[str, Any] | None, outputs: Mapping[str, Any]) -> dict[str, Any]:
    """outputs of a new build, keeping the builds recorded before it (a rollback serves one)."""
    builds = {**recorded_builds(previous), **recorded_builds(outputs)}
    return {**outputs, BUILDS: dict(sorted(builds.items()))}


def read_state(project: Project) -> State:
    """The state as apply last wrote it; an unreadable state is an EngineError."""
    from modelspec.state import StateError, backend_for

    try:
        return backend_for(project).read()
    except StateError as exc:
        raise EngineError(f"{exc}; without state no build can be verified") from None


def record_for(state: State, model: str, build: str) -> BuildRecord:
    """The digests state recorded for a build; EngineError (nothing is loaded) when there are none."""
    resource = state.resources.get(str(Address.of("Model", model)))
    if resource is None:
        raise EngineError(
            f"state has no record of model {model}, so its build {build} cannot be verified "
            "and is not loaded: apply the model with `modelspec apply` (state records the "
            "sha256 of every build apply registers)"
        )
    files = recorded_builds(resource.outputs).get(build)
    if files is None:
        raise EngineError(
            f"state records no digests for build {build} of model {model} (it was registered "
            "before modelspec recorded them, or outside `modelspec apply`), so it cannot be "
            "verified and is not loaded: retrain the model with `modelspec apply` (a new "
            "spec.version, or a retrain trigger) to register a build state vouches for"
        )
    return BuildRecord(model, build, files)


def _backend(registry: Path | RegistryBackend) -> RegistryBackend:
    return LocalRegistry(registry) if isinstance(registry, Path) else registry


def deployed_build(
    state: State, registry: Path | RegistryBackend, deployment: str, model: str, target: str
) -> str | None:
    """The build apply deployed for a deployment, once the target's alias agrees; None: none yet."""
    backend = _backend(registry)
    alias = backend.get_alias(model, target)
    recorded = state.resources.get(str(Address.of("Deployment", deployment)))
    deployed = recorded.outputs.get("model_build") if recorded is not None else None
    where = backend.alias_location(model)
    if alias == deployed:
        return alias
    if deployed is None:
        raise EngineError(
            f"the {target} alias of model {model} points at {alias} in {where}, but state "
            f"records no build deployed for deployment {deployment}; nothing is loaded: "
            "apply the deployment with `modelspec apply`"
        )
    found = f"points at {alias}" if alias is not None else "is missing"
    raise EngineError(
        f"the {target} alias of model {model} {found} in {where}, but state records that "
        f"apply deployed {deployed} for deployment {deployment}; the alias was changed outside "
        f"modelspec and nothing is loaded: set it back to {deployed}, or restore the registry "
        "from a backup"
    )


def open_registered(
    registry: Path | RegistryBackend, state: State, model: str, build: str
) -> VerifiedBuild:
    """A model's build in the registry, verified against the digests state recorded (a remote
    registry's build is downloaded first, and verified as the local copy it then is)."""
    record = record_for(state, model, build)
    return open_build(_backend(registry).fetch_build(model, build), record)


def open_deployed(
    project: Project, deployment: str, model: str, target: str
) -> VerifiedBuild | None:
    """The build a deployment serves, verified; None when nothing is deployed yet."""
    state = read_state(project)
    registry = registry_for(project)
    build = deployed_build(state, registry, deployment, model, target)
    if build is None:
        return None
    return open_registered(registry, state, model, build)


def open_build_dir(project: Project, path: Path) -> VerifiedBuild:
    """A build directory anywhere (`<...>/<model>/<build>`, or `<version>` for its latest build),
    verified against what the project's state recorded for that model's build."""
    directory = resolve_build_dir(path)
    model, build = directory.parent.name, directory.name
    if not is_build_name(build):
        raise EngineError(f"{directory} is not a build folder (<model>/<version>+<N>)")
    return open_build(directory, record_for(read_state(project), model, build))


def deployed_record(
    project: Project, deployment: str, model: str, target: str
) -> tuple[Path, BuildRecord] | None:
    """The folder of the build a deployment serves and the digests state recorded for it (for a
    server that verifies it itself, serving/runtime.py); None when nothing is deployed yet."""
    state = read_state(project)
    registry = registry_for(project)
    build = deployed_build(state, registry, deployment, model, target)
    if build is None:
        return None
    path = registry.fetch_build(model, build)
    return path, record_for(state, model, build)


def record_for_dir(project: Project, path: Path) -> tuple[Path, BuildRecord]:
    """A build directory anywhere (as open_build_dir takes it) and what state recorded for it."""
    directory = resolve_build_dir(path)
    model, build = directory.parent.name, directory.name
    if not is_build_name(build):
        raise EngineError(f"{directory} is not a build folder (<model>/<version>+<N>)")
    return directory, record_for(read_state(project), model, build)
