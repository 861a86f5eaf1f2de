"""The serve operation: which registered build to serve, loaded and verified (the loop is the CLI's)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from modelspec.compile.graph import Graph
from modelspec.errors import UserError
from modelspec.project import Project

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

    from modelspec.serving.server import ModelServer, ServedModel

__all__ = [
    "BUILD_DIR_ENV",
    "DEPLOYMENT_ENV",
    "chosen_build_dir",
    "deployment_model",
    "listen",
    "load_model",
    "serve_until_signal",
    "server_label",
]

BUILD_DIR_ENV = "MODELSPEC_BUILD_DIR"
DEPLOYMENT_ENV = "MODELSPEC_DEPLOYMENT"


def chosen_build_dir(
    deployment: str | None, build_dir: Path | None, environ: Mapping[str, str]
) -> Path | None:
    """The build directory given (option, else $MODELSPEC_BUILD_DIR); None: serve the deployment's."""
    if deployment and build_dir:
        raise UserError("give --deployment or --build-dir, not both")
    if deployment:
        return None
    if build_dir is not None:
        return build_dir
    env_dir = environ.get(BUILD_DIR_ENV)
    if not env_dir:
        raise UserError(f"give --deployment NAME or --build-dir DIR (or set ${BUILD_DIR_ENV})")
    return Path(env_dir)


def load_model(build_dir: Path) -> ServedModel:
    """The verified build in build_dir (<registry>/<model>/<version>: its latest build)."""
    from modelspec.serving.server import load_served_model

    return load_served_model(build_dir)


def deployment_model(project: Project, graph: Graph, deployment: str) -> ServedModel:
    """The build the deployment's target alias points at in the local registry."""
    from modelspec.serving.server import deployment_build_dir

    return load_model(deployment_build_dir(project, graph, deployment))


def server_label(deployment: str | None, environ: Mapping[str, str]) -> str | None:
    """The deployment named in metrics: the option, else $MODELSPEC_DEPLOYMENT."""
    return deployment or environ.get(DEPLOYMENT_ENV) or None


def listen(
    model: ServedModel, host: str, port: int, *, deployment: str | None, log: TextIO | None
) -> ModelServer:
    """A server bound to host:port (port 0 picks a free one); OSError when it cannot listen."""
    from modelspec.serving import server

    return server.make_server(model, host, port, deployment=deployment, log=log)


def serve_until_signal(server: ModelServer, on_stop: Callable[[str], None]) -> None:
    """Answer requests until SIGTERM or SIGINT; on_stop is told the signal's name."""
    from modelspec.serving import server as serving

    serving.serve_until_signal(server, on_stop)
