"""The run-step operation: one pipeline step of a model (what each Argo step runs), or batch scoring.

In a pod the project is the bundle the rendered pipeline carried, and the
environment the manifests set says where things are (docs/pipelines.md):
`MODELSPEC_PROJECT_DIR`, `MODELSPEC_WORK_DIR`, `MODELSPEC_REGISTRY_DIR` and
`MODELSPEC_REGISTRY_URI`. The CLI reads them; `in_environment` applies the
last two to the project.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelspec.compile.graph import Graph
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.engine.steps import StepContext

__all__ = [
    "DEPLOY_RECORD",
    "STEP_NAMES",
    "Scored",
    "StepOutcome",
    "deploy_step",
    "in_environment",
    "run_step",
    "score",
]

STEP_NAMES = ("validate-data", "train", "evaluate", "register", "deploy", "score")
DEPLOY_RECORD = "deploy.json"


@dataclass(frozen=True)
class StepOutcome:
    """What a step of a model recorded; workdir is where it handed its data over."""

    step: str
    model: str
    record: dict[str, Any]
    workdir: Path


@dataclass(frozen=True)
class Scored:
    output: Path
    rows: int
    build: str


def in_environment(
    project: Project, registry_dir: Path | None = None, registry_uri: str | None = None
) -> Project:
    """The project with the operator's registry folder and storage URI in place of
    modelspec.yaml's registry.path and registry.uri (a folder anywhere: a mounted volume)."""
    registry: dict[str, str] = {}
    if registry_dir is not None:
        registry["path"] = str(registry_dir.absolute())
    if registry_uri:
        registry["uri"] = registry_uri
    if not registry:
        return project
    config = project.config.model_copy(
        update={"registry": project.config.registry.model_copy(update=registry)}
    )
    return dataclasses.replace(project, config=config)


def run_step(
    project: Project, graph: Graph, step: str, model: str, workdir: Path | None = None
) -> StepOutcome:
    """Run validate-data, train, evaluate, register or deploy for a model; EngineError when it fails."""
    from modelspec.engine import steps

    context = steps.step_context(project, graph, model, workdir)
    if step == "deploy":
        return StepOutcome(step, model, deploy_step(project, graph, context), context.workdir)
    runners = {
        "validate-data": steps.validate_data_step,
        "train": steps.train_step,
        "evaluate": steps.evaluate_step,
        "register": steps.register_step,
    }
    record = runners[step](context)
    return StepOutcome(step, model, record, context.workdir)


def deploy_step(project: Project, graph: Graph, context: StepContext) -> dict[str, Any]:
    """Point each of the model's deployments at the build register recorded, and render their
    manifests for it into <workdir>/deploy/ (what the Workflow's resource steps apply)."""
    import shutil

    import yaml

    from modelspec.compile.views import DeploymentView, ModelView
    from modelspec.engine.pipeline_builds import build_facts
    from modelspec.files import write_atomic
    from modelspec.generate import render
    from modelspec.generate.argo import DEPLOY_DIR, manifest_parameter
    from modelspec.generate.cache import render_context, render_refs
    from modelspec.registry.local import set_alias

    model = context.model
    build, digest = _registered(context)
    outputs = {  # what apply records when it takes the build up: the same manifests
        **build_facts(context.registry, model.name, build),
        "model_build": build,
        "model_build_digest": digest,
        "model_version": ModelView(model).version,
    }
    ctx = render_context(project)
    out = context.workdir / DEPLOY_DIR
    shutil.rmtree(out, ignore_errors=True)  # only what this build renders is applied
    rendered = [  # everything rendered before any alias moves: a failure moves nothing
        (d, render(d, render_refs(d, graph, ctx), ctx, outputs))
        for d in graph.of_kind("Deployment")
        if d.spec.get("model") == model.name
    ]
    deployments: dict[str, Any] = {}
    for deployment, artifacts in rendered:
        target = DeploymentView(deployment).target
        before = set_alias(context.registry, model.name, target, build)
        files = {}
        for artifact in artifacts:
            if artifact.path.endswith(".yaml"):
                document = yaml.safe_load(artifact.content)
                write_atomic(out / artifact.path, manifest_parameter(document).encode())
                files[artifact.path] = artifact.digest
        deployments[deployment.name] = {"target": target, "previous_build": before, "files": files}
    write_atomic(out / "build", build.encode())
    record = {
        "model": model.name,
        "build": build,
        "model_build_digest": digest,
        "deployments": deployments,
    }
    write_atomic(context.workdir / DEPLOY_RECORD, _json(record))
    return record


def _registered(context: StepContext) -> tuple[str, str]:
    """The build the register step recorded, once its manifest.json in the registry matches."""
    from modelspec import jsonio
    from modelspec.engine.steps import BUILD
    from modelspec.errors import EngineError
    from modelspec.files import ReadRefused, read_regular
    from modelspec.registry.local import MANIFEST, build_path, sha256
    from modelspec.registry.trust import BUILDS

    name = context.model.name
    path = context.workdir / BUILD
    try:
        record = jsonio.loads(read_regular(path, limit=1 << 20))
    except (OSError, ValueError, ReadRefused):
        raise EngineError(f"model {name}: {path} is missing; run the register step first") from None
    build = record.get("build") if isinstance(record, dict) else None
    files = record.get(BUILDS, {}).get(build) if isinstance(record, dict) else None
    digest = files.get(MANIFEST) if isinstance(files, dict) else None
    if not isinstance(build, str) or not isinstance(digest, str):
        raise EngineError(f"model {name}: {path} names no registered build; run register again")
    folder = build_path(context.registry, name, build, f"the build in {path}")
    try:
        found = sha256(read_regular(folder / MANIFEST, limit=1 << 20))
    except (OSError, ReadRefused):
        found = None
    if found != digest:
        raise EngineError(
            f"model {name}: {folder / MANIFEST} does not match what register recorded; "
            "it is not deployed (run register again)"
        )
    return build, digest


def _json(value: Any) -> bytes:
    from modelspec import jsonio

    return (jsonio.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def score(
    project: Project,
    graph: Graph,
    deployment: str,
    input_path: Path | None = None,
    output_path: Path | None = None,
    build_dir: Path | None = None,
    build_digest: str | None = None,
) -> Scored:
    """Predict with the deployment's build; EngineError when it cannot.

    The build is build_dir when given (in a pod, `MODELSPEC_BUILD_DIR`), verified
    against build_digest (`MODELSPEC_BUILD_DIGEST`, the sha256 of its manifest.json
    the CronJob names) or else against the project's state; without build_dir, the
    build apply deployed for the deployment. An output_path that is a directory gets
    `<deployment>/<build>/scores-<UTC time>.csv`.
    """
    from modelspec.engine.score import BuildSource, score_batch

    build = BuildSource(build_dir, build_digest or None) if build_dir is not None else None
    out, rows, built = score_batch(project, graph, deployment, input_path, output_path, build)
    return Scored(out, rows, built)
