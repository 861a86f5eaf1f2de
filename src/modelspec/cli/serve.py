"""`modelspec serve`: answer predictions over HTTP with a verified build (what the Kubernetes Deployment runs)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from modelspec.cli.common import require_graph
from modelspec.operations.serve import BUILD_DIR_ENV

__all__ = ["command"]


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

    from modelspec.operations import serve as operation

    model = operation.served_model(deployment, build_dir, os.environ, require_graph)
    server = operation.listen(
        model, host, port, deployment=deployment, environ=os.environ,
        log=None if quiet else sys.stderr,
    )
    click.echo(
        f"serving {model.name} {model.build} on http://{host}:{server.port}"
        f"/v1/models/{model.name}:predict",
        err=True,
    )
    operation.serve_until_signal(server, lambda name: click.echo(f"{name}: shutting down", err=True))
    ctx.exit(0)
