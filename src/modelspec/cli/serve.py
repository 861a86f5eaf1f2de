"""`modelspec serve`: MLServer answering V2 and KServe V1 requests with a verified build (what the Kubernetes Deployment runs)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from modelspec.cli.common import require_graph
from modelspec.operations.serve import BUILD_DIGEST_ENV, BUILD_DIR_ENV, MODEL_NAME_ENV

__all__ = ["command"]


@click.command("serve")
@click.argument("deployment_arg", metavar="[DEPLOYMENT]", required=False)
@click.option(
    "--deployment",
    help="Serve the build this Deployment's target alias points at (same as the argument).",
)
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=(
        f"Serve this registered build directory (default ${BUILD_DIR_ENV}); "
        "<registry>/<model>/<version> means that version's latest build. Verified against "
        f"${BUILD_DIGEST_ENV} when set, else against the project's state."
    ),
)
@click.option(
    "--name",
    help=f"Serve the model under this name (default ${MODEL_NAME_ENV}, else the deployment's name).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
    help="HTTP port (V2 and V1 REST).",
)
@click.option(
    "--metrics-port", type=click.IntRange(0, 65535), default=8082, show_default=True,
    help="Prometheus metrics port (/metrics).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not log one line per request.")
@click.pass_context
def command(
    ctx: click.Context,
    deployment_arg: str | None,
    deployment: str | None,
    build_dir: Path | None,
    name: str | None,
    host: str,
    port: int,
    metrics_port: int,
    quiet: bool,
) -> None:
    """Serve a model with MLServer: V2 and KServe V1 REST on --port, metrics on --metrics-port."""
    from modelspec.errors import UserError
    from modelspec.operations import serve as operation

    if deployment_arg and deployment and deployment_arg != deployment:
        raise UserError("give the deployment once, as the argument or as --deployment")
    request = operation.resolve(
        deployment_arg or deployment, build_dir, name, os.environ, require_graph
    )
    listen = operation.Listen(host, port, metrics_port, access_log=not quiet)
    operation.run(request, listen, lambda line: click.echo(line, err=True))
    ctx.exit(0)
