"""The serve operation: which registered build to serve and what vouches for it (MLServer runs it, serving/server.py).

A build is served only once its files match the digests of a record: the
ones the project's state recorded when apply registered it (`serve
DEPLOYMENT`, or `--build-dir` inside a project), or, in a pod where no state
exists, the sha256 of its manifest.json that the rendered manifest names
(`MODELSPEC_BUILD_DIGEST`), which then vouches for every other file. The
build is checked here, so a bad one is a one-line error before anything
starts, and again by the runtime that loads it from model.skops
(docs/serving.md, docs/registry-trust.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph
from modelspec.compile.views import DeploymentView, Refs
from modelspec.errors import EngineError, UserError
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.registry.verify import BuildRecord

__all__ = [
    "BUILD_DIGEST_ENV",
    "BUILD_DIR_ENV",
    "DEPLOYMENT_ENV",
    "MODEL_NAME_ENV",
    "Listen",
    "ServeRequest",
    "resolve",
    "run",
]

BUILD_DIR_ENV = "MODELSPEC_BUILD_DIR"
BUILD_DIGEST_ENV = "MODELSPEC_BUILD_DIGEST"
MODEL_NAME_ENV = "MODELSPEC_MODEL_NAME"
DEPLOYMENT_ENV = "MODELSPEC_DEPLOYMENT"


@dataclass(frozen=True)
class Listen:
    """Where the server listens, and whether it logs each request."""

    host: str
    port: int
    metrics_port: int
    access_log: bool


@dataclass(frozen=True)
class ServeRequest:
    """A checked build, the record it matched, and the name it is served under."""

    build_dir: Path
    record: BuildRecord
    name: str


def resolve(
    deployment: str | None,
    build_dir: Path | None,
    name: str | None,
    environ: Mapping[str, str],
    load_graph: Callable[[], tuple[Project, Graph]],
) -> ServeRequest:
    """The build to serve, verified: the one apply deployed for the deployment, else build_dir
    or $MODELSPEC_BUILD_DIR (`<...>/<model>/<version>`: its latest), checked against
    $MODELSPEC_BUILD_DIGEST when set, else against the project's state. Served under name,
    else $MODELSPEC_MODEL_NAME, else the deployment's name, else the model's."""
    from modelspec.registry.trust import deployed_record, record_for_dir
    from modelspec.registry.verify import open_build, record_from_digest

    if deployment and build_dir:
        raise UserError("give a deployment or --build-dir, not both")
    label = deployment or environ.get(DEPLOYMENT_ENV) or None
    if deployment:
        project, graph = load_graph()
        resource = graph.get(Address.of("Deployment", deployment))
        model = Refs.of(graph, resource).model if resource is not None else None
        if resource is None or model is None:
            raise EngineError(f"there is no Deployment named {deployment!r} with a defined model")
        target = DeploymentView(resource).target
        found = deployed_record(project, deployment, model.name, target)
        if found is None:
            raise EngineError(f"deployment {deployment} has no deployed build yet: apply it first")
        directory, record = found
    else:
        if build_dir is None:
            env_dir = environ.get(BUILD_DIR_ENV)
            if not env_dir:
                raise UserError(f"give a deployment or --build-dir DIR (or set ${BUILD_DIR_ENV})")
            build_dir = Path(env_dir)
        digest = environ.get(BUILD_DIGEST_ENV)
        if digest:
            directory = build_dir
            if not (directory / "manifest.json").is_file():
                raise EngineError(f"{directory} is not a registered build (it has no manifest.json)")
            record = record_from_digest(directory, digest)
        else:
            project, _ = load_graph()
            directory, record = record_for_dir(project, build_dir)
    open_build(directory, record)  # every file checked now: a bad build stops the start here
    served = name or environ.get(MODEL_NAME_ENV) or label or record.model
    return ServeRequest(directory, record, served)


def run(request: ServeRequest, listen: Listen, announce: Callable[[str], None]) -> None:
    """Serve the build with MLServer until SIGTERM or SIGINT; announce gets its status lines.
    A UserError when the `serve` extra (MLServer) is not installed or a port is taken."""
    try:
        from modelspec.serving import server
    except ImportError as exc:
        raise UserError(
            f"modelspec serve needs MLServer ({exc.name or exc} is not installed): "
            "pip install 'modelspec-cli[serve]' (MLServer 1.7 and mlserver-sklearn)"
        ) from None
    config = server.ServeConfig(
        build_dir=request.build_dir,
        record=request.record,
        name=request.name,
        host=listen.host,
        port=listen.port,
        metrics_port=listen.metrics_port,
        access_log=listen.access_log,
    )
    server.serve(config, announce)
