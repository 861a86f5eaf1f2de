"""`modelspec serve`: answer predictions over HTTP with a verified build (what the Kubernetes Deployment runs)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.cli.common import require_graph

__all__ = ["command"]

BUILD_DIR_ENV = "MODELSPEC_BUILD_DIR"
DEPLOYMENT_ENV = "MODELSPEC_DEPLOYMENT"


@click.command("serve")
@click.option(
    "--deployment",
    help="Serve the build this Deployment's target alias points at in the local registry.",
)
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=(
        f"Serve this registered build directory (default ${BUILD_DIR_ENV}); "
        "<registry>/<model>/<version> means that version's latest build."
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="Port."
)
@click.option("--quiet", "-q", is_flag=True, help="Do not log one line per request to stderr.")
@click.pass_context
def command(
    ctx: click.Context,
    deployment: str | None,
    build_dir: Path | None,
    host: str,
    port: int,
    quiet: bool,
) -> None:
    """Serve a model over the KServe V1 protocol, with /healthz, /readyz and /metrics."""
    import sys

    from modelspec.errors import EngineError
    from modelspec.serving import server as serve

    if deployment and build_dir:
        raise UserError("give --deployment or --build-dir, not both")
    if not deployment and build_dir is None:
        env_dir = os.environ.get(BUILD_DIR_ENV)
        if not env_dir:
            raise UserError(f"give --deployment NAME or --build-dir DIR (or set ${BUILD_DIR_ENV})")
        build_dir = Path(env_dir)
    try:
        if deployment:
            build_dir = _deployment_build_dir(ctx, deployment)
        assert build_dir is not None
        model = serve.load_served_model(build_dir)
    except EngineError as exc:
        raise UserError(str(exc)) from None
    label = deployment or os.environ.get(DEPLOYMENT_ENV) or None
    try:
        server = serve.make_server(
            model, host, port, deployment=label, log=None if quiet else sys.stderr
        )
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(
        f"serving {model.name} {model.build} on http://{host}:{server.port}"
        f"/v1/models/{model.name}:predict",
        err=True,
    )
    serve.serve_until_signal(server, lambda name: click.echo(f"{name}: shutting down", err=True))
    ctx.exit(0)


def _deployment_build_dir(ctx: click.Context, deployment: str) -> Path:
    from modelspec.serving.server import deployment_build_dir

    project, graph = require_graph()
    return deployment_build_dir(project, graph, deployment)
