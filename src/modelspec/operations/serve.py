"""The serve operation: which registered build to serve, verified and loaded (the loop is the CLI's).

A build is served only once its files match the digests the project's state
recorded when apply registered it (registry/trust.py), and its model is
rebuilt from model.skops, never unpickled. Serving therefore needs the
project and its state, also with --build-dir: a build state has no record of
is refused (docs/registry-trust.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph
from modelspec.compile.views import DeploymentView, Refs
from modelspec.errors import EngineError, UserError
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
    """The verified build to serve: the one apply deployed for the deployment, else build_dir
    or $MODELSPEC_BUILD_DIR (<...>/<model>/<version>: its latest), checked against the
    digests the project's state recorded for that build."""
    from modelspec.registry.trust import open_build_dir, open_deployed
    from modelspec.serving.model import served_model as model_of

    if deployment and build_dir:
        raise UserError("give --deployment or --build-dir, not both")
    if deployment:
        project, graph = load_graph()
        resource = graph.get(Address.of("Deployment", deployment))
        model = Refs.of(graph, resource).model if resource is not None else None
        if resource is None or model is None:
            raise EngineError(f"there is no Deployment named {deployment!r} with a defined model")
        target = DeploymentView(resource).target
        verified = open_deployed(project, deployment, model.name, target)
        if verified is None:
            raise EngineError(f"deployment {deployment} has no deployed build yet: apply it first")
        return model_of(verified)
    if build_dir is None:
        env_dir = environ.get(BUILD_DIR_ENV)
        if not env_dir:
            raise UserError(f"give --deployment NAME or --build-dir DIR (or set ${BUILD_DIR_ENV})")
        build_dir = Path(env_dir)
    project, _ = load_graph()
    return model_of(open_build_dir(project, build_dir))


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
