"""`modelspec run-step STEP`: one pipeline step of a model (what each Argo step runs), or batch scoring."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.cli.common import require_graph
from modelspec.operations.run_step import STEP_NAMES

__all__ = ["command"]


@click.command("run-step")
@click.argument("step", type=click.Choice(STEP_NAMES))
@click.option(
    "--model",
    "model",
    help="The Model whose step runs (validate-data, train, evaluate, register, deploy).",
)
@click.option("--deployment", help="The Deployment to score with (score).")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MODELSPEC_WORK_DIR",
    show_envvar=True,
    help="Where steps hand data over. Default .modelspec/work/<model>/.",
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MODELSPEC_PROJECT_DIR",
    show_envvar=True,
    help="The project (modelspec.yaml is found from here). Default the working directory.",
)
@click.option(
    "--registry-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MODELSPEC_REGISTRY_DIR",
    show_envvar=True,
    help="The registry folder, instead of modelspec.yaml's registry.path (a mounted volume).",
)
@click.option(
    "--registry-uri",
    envvar="MODELSPEC_REGISTRY_URI",
    show_envvar=True,
    help="The storage URI prefix manifests name, instead of modelspec.yaml's registry.uri.",
)
@click.option(
    "--input",
    "input_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="score: rows to score. Default the contract's source.",
)
@click.option(
    "--output",
    "output_path",
    type=click.Path(path_type=Path),
    help=(
        "score: the file predictions go to; in a directory, <deployment>/<build>/"
        "scores-<UTC time>.csv. Default .modelspec/scores/<deployment>.csv."
    ),
)
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MODELSPEC_BUILD_DIR",
    show_envvar=True,
    help=(
        "score: with this registered build folder instead of the one state records as deployed "
        "(in a pod); verified against --build-digest when set, else against the project's state."
    ),
)
@click.option(
    "--build-digest",
    envvar="MODELSPEC_BUILD_DIGEST",
    show_envvar=True,
    help="score: the sha256 of the build's manifest.json, which vouches for the build folder.",
)
@click.pass_context
def command(
    ctx: click.Context,
    step: str,
    model: str | None,
    deployment: str | None,
    workdir: Path | None,
    project_dir: Path | None,
    registry_dir: Path | None,
    registry_uri: str | None,
    input_path: Path | None,
    output_path: Path | None,
    build_dir: Path | None,
    build_digest: str | None,
) -> None:
    """Run one pipeline STEP of --model, or `score --deployment NAME` for a batch job."""
    from modelspec.cli.views import run_step as view
    from modelspec.operations.run_step import in_environment, run_step, score

    if step == "score" and not deployment:
        raise UserError("score needs --deployment NAME")
    if step != "score" and not model:
        raise UserError(f"{step} needs --model NAME")
    project, graph = require_graph(project_dir)
    project = in_environment(project, registry_dir, registry_uri)
    if step == "score":
        assert deployment is not None
        scored = score(
            project, graph, deployment, input_path, output_path, build_dir, build_digest
        )
        click.echo(view.scored(scored))
    else:
        assert model is not None
        click.echo(view.step_line(run_step(project, graph, step, model, workdir)))
    ctx.exit(0)
