"""The local engine: apply runs a Model's pipeline here and moves a Deployment's alias; batch scoring."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import DeploymentView, Refs
from modelspec.errors import EngineError
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.state import ResourceState, State

MANIFEST = "manifest.json"  # registry/local.py's name, kept here to keep the registry import lazy

__all__ = ["LocalEngine", "run_pipeline", "score_batch"]


def run_pipeline(project: Project, graph: Graph, model: str) -> dict[str, Any]:
    """validate-data -> train -> evaluate -> register for one model; the build's outputs."""
    from modelspec.engine.steps import (
        evaluate_step,
        load_data,
        register_step,
        step_context,
        train_step,
        validate_data_step,
    )

    ctx = step_context(project, graph, model)
    data = load_data(ctx)  # read once, handed to every step
    validate_data_step(ctx, data)
    train_step(ctx, data)
    evaluate_step(ctx, data)
    return register_step(ctx, data)


class LocalEngine:
    """Implements apply's Engine protocol on this machine."""

    def __init__(self, project: Project, graph: Graph) -> None:
        self.project = project
        self.graph = graph

    def build(
        self, resource: Resource, previous: ResourceState | None, state: State | None = None
    ) -> dict[str, Any]:
        """A Model: a new registered build. A Deployment: its target's alias moved (or rolled back).

        state is apply's working state (the project's stored state when not given): a
        deployment deploys the build it records for the model.
        """
        if resource.kind == "Model":
            from modelspec.registry.trust import merged_builds

            outputs = run_pipeline(self.project, self.graph, resource.name)
            return merged_builds(previous.outputs if previous is not None else None, outputs)
        if resource.kind == "Deployment":
            if state is None:
                from modelspec.registry.trust import read_state

                state = read_state(self.project)
            return self._deploy(resource, state)
        return {}

    def _deploy(self, deployment: Resource, state: State) -> dict[str, Any]:
        """Point the target's alias at the model's build state records (or roll it back).

        The build is the one apply registered for the model's current version, never
        merely the newest folder on disk: its digests in state are what the deployment's
        manifests carry for the runtime to verify.
        """
        from modelspec.registry.local import rollback_alias, set_alias
        from modelspec.registry.trust import recorded_builds
        from modelspec.state.triggers import read_trigger_records

        model = Refs.of(self.graph, deployment).model
        if model is None:
            raise EngineError(f"deployment {deployment.name}: its model is not defined")
        target = DeploymentView(deployment).target
        registry = self.project.registry_dir
        recorded = state.resources.get(str(Address.of("Model", model.name)))
        outputs = recorded.outputs if recorded is not None else {}
        builds = recorded_builds(outputs)
        trigger = read_trigger_records(self.project).get(deployment.address, {})
        if trigger.get("action") == "rollback":
            before, build = rollback_alias(registry, model.name, target)
            rolled: dict[str, Any] = {"rolled_back_from": before}
        else:
            recorded_build = outputs.get("build") if outputs.get("version") == model.version else None
            if not isinstance(recorded_build, str) or recorded_build not in builds:
                raise EngineError(
                    f"deployment {deployment.name}: model {model.name} {model.version} has no "
                    "build recorded in state; apply the model first"
                )
            build = recorded_build
            set_alias(registry, model.name, target, build)
            rolled = {}
        digest = builds.get(build, {}).get(MANIFEST)
        deployed = {"model_build": build, "model_build_digest": digest, **rolled}
        if isinstance(outputs.get("sklearn_version"), str):
            deployed["sklearn_version"] = outputs["sklearn_version"]
        return deployed


def score_batch(
    project: Project,
    graph: Graph,
    deployment: str,
    input_path: Path | None,
    output_path: Path | None,
) -> tuple[Path, int, str]:
    """Predict with the build the deployment's target alias points at; (output, rows, build).

    The build is the one apply deployed, verified against the digests state recorded.
    The input defaults to the model's contract source, the output to
    `.modelspec/scores/<deployment>.csv`; it holds the input rows with a
    `prediction` column (and `probability` of the positive class for binary classifiers).
    """
    from modelspec.learn.tabular import format_of, read_table
    from modelspec.learn.train import NUMERIC_TYPES, feature_frame
    from modelspec.registry.trust import open_deployed

    resource = graph.get(Address.of("Deployment", deployment))
    refs = Refs.of(graph, resource) if resource is not None else Refs({})
    model, contract = refs.model, refs.contract
    if resource is None or model is None:
        raise EngineError(f"there is no Deployment named {deployment!r} with a defined model")
    source_format = contract.source_format if contract is not None else "csv"
    verified = open_deployed(project, deployment, model.name, DeploymentView(resource).target)
    if verified is None:
        raise EngineError(f"deployment {deployment} has no deployed build yet: apply it first")
    if input_path is None:
        input_path = contract.source_file(project.root) if contract is not None else None
        if input_path is None:
            raise EngineError(
                f"deployment {deployment}: give --input (the contract has no source path)"
            )
    output_path = output_path or project.work_dir / "scores" / f"{deployment}.csv"
    try:
        frame = read_table(input_path, format_of(input_path) or source_format)
    except ValueError as exc:
        raise EngineError(str(exc)) from None
    estimator = verified.estimator()
    types = contract.column_types if contract is not None else {}
    features = model.features
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise EngineError(f"{input_path} has no column {', '.join(missing)}")
    numeric = tuple(f for f in features if types.get(f, "string") in NUMERIC_TYPES)
    categorical = tuple(f for f in features if f not in numeric)
    x = feature_frame(frame, numeric, categorical)
    out = frame.copy()
    out["prediction"] = estimator.predict(x)
    if hasattr(estimator, "predict_proba") and len(getattr(estimator, "classes_", [])) == 2:
        out["probability"] = estimator.predict_proba(x)[:, 1]
    output_path.parent.mkdir(parents=True, exist_ok=True)
    kind = format_of(output_path) or "csv"
    if kind == "parquet":
        out.to_parquet(output_path, index=False)
    elif kind == "json":
        out.to_json(output_path, orient="records")
    else:
        out.to_csv(output_path, index=False)
    return output_path, len(out), verified.build
