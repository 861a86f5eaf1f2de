"""`modelspec run-step STEP`: one pipeline step of a model (what each Argo step runs), or batch scoring."""

from __future__ import annotations

from pathlib import Path

import click

from modelspec.cli import UserError
from modelspec.cli.common import require_graph
from modelspec.compile.graph import Graph
from modelspec.project import Project

__all__ = ["command"]

STEP_NAMES = ("validate-data", "train", "evaluate", "register", "score")


@click.command("run-step")
@click.argument("step", type=click.Choice(STEP_NAMES))
@click.option(
    "--model", "model", help="The Model whose step runs (validate-data, train, evaluate, register)."
)
@click.option("--deployment", help="The Deployment to score with (score).")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where steps hand data over. Default .modelspec/work/<model>/.",
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
    type=click.Path(dir_okay=False, path_type=Path),
    help="score: where predictions go. Default .modelspec/scores/<deployment>.csv.",
)
@click.pass_context
def command(
    ctx: click.Context,
    step: str,
    model: str | None,
    deployment: str | None,
    workdir: Path | None,
    input_path: Path | None,
    output_path: Path | None,
) -> None:
    """Run one pipeline STEP of --model, or `score --deployment NAME` for a batch job."""
    from modelspec.errors import EngineError

    if step == "score" and not deployment:
        raise UserError("score needs --deployment NAME")
    if step != "score" and not model:
        raise UserError(f"{step} needs --model NAME")
    project, graph = require_graph()
    try:
        if step == "score":
            from modelspec.engine.local import score_batch

            assert deployment is not None
            out, rows, build = score_batch(project, graph, deployment, input_path, output_path)
            click.echo(f"scored {rows} rows with {build}: {out}")
        else:
            assert model is not None
            click.echo(_run(project, graph, step, model, workdir))
    except EngineError as exc:
        raise UserError(str(exc)) from None
    ctx.exit(0)


def _run(project: Project, graph: Graph, step: str, model: str, workdir: Path | None) -> str:
    from modelspec.engine import steps

    context = steps.step_context(project, graph, model, workdir)
    if step == "validate-data":
        record = steps.validate_data_step(context)
        return f"{model}: data valid ({record['row_count']} rows, {len(record['checks'])} checks)"
    if step == "train":
        steps.train_step(context)
        return f"{model}: trained, model in {context.workdir}"
    if step == "evaluate":
        record = steps.evaluate_step(context)
        gates = "; ".join(g["message"] for g in record["gates"]) or "no gates"
        return f"{model}: evaluated: {gates}"
    outputs = steps.register_step(context)
    return f"{model}: registered {outputs['build']} at {outputs['registry_path']}"
