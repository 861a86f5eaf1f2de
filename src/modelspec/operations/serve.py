"""The serve operation: which registered build to serve, loaded and verified (the loop is the CLI's)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from modelspec.compile.graph import Graph
from modelspec.errors import UserError
from modelspec.project import Project

if TYPE_CHECKING:
    from typing import TextIO

    from modelspec.serving.server import ModelServer, ServedModel

__all__ = ["BUILD_DIR_ENV", "DEPLOYMENT_ENV", "listen", "serve_until_signal", "served_model"]

BUILD_DIR_ENV = "MODELSPEC_BUILD_DIR"
DEPLOYMENT_ENV = "MODELSPEC_DEPLOYMENT"


def served_model(
    deployment: str | None,
    build_dir: Path | None,
    environ: Mapping[str, str],
    load_graph: Callable[[], tuple[Project, Graph]],
) -> ServedModel:
    """The verified build to serve: the deployment's alias build (the graph is loaded only
    then), else build_dir or $MODELSPEC_BUILD_DIR (<registry>/<model>/<version>: its latest)."""
    from modelspec.serving.server import deployment_build_dir, load_served_model

    if deployment and build_dir:
        raise UserError("give --deployment or --build-dir, not both")
    if deployment:
        project, graph = load_graph()
        return load_served_model(deployment_build_dir(project, graph, deployment))
    if build_dir is None:
        env_dir = environ.get(BUILD_DIR_ENV)
        if not env_dir:
            raise UserError(f"give --deployment NAME or --build-dir DIR (or set ${BUILD_DIR_ENV})")
        build_dir = Path(env_dir)
    return load_served_model(build_dir)


def listen(
    model: ServedModel,
    host: str,
    port: int,
    *,
    deployment: str | None,
    environ: Mapping[str, str],
    log: TextIO | None,
) -> ModelServer:
    """A server bound to host:port (port 0 picks a free one), labelled in its metrics with the
    deployment (else $MODELSPEC_DEPLOYMENT); a UserError when it cannot listen."""
    from modelspec.serving.server import make_server

    label = deployment or environ.get(DEPLOYMENT_ENV) or None
    try:
        return make_server(model, host, port, deployment=label, log=log)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve_until_signal(server: ModelServer, on_stop: Callable[[str], None]) -> None:
    """Answer requests until SIGTERM or SIGINT; on_stop is told the signal's name."""
    from modelspec.serving import server as serving  # looked up now: tests replace it

    serving.serve_until_signal(server, on_stop)
