"""The local engine: apply runs a Model's pipeline here and moves a Deployment's alias (batch scoring: engine/score.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import DeploymentView, Refs
from modelspec.errors import EngineError
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.state import ResourceState, State

MANIFEST = "manifest.json"  # registry/local.py's name, kept here to keep the registry import lazy

__all__ = ["LocalEngine", "run_pipeline"]


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
        from modelspec.registry.backend import registry_for
        from modelspec.registry.trust import recorded_builds
        from modelspec.state.triggers import read_trigger_records

        model = Refs.of(self.graph, deployment).model
        if model is None:
            raise EngineError(f"deployment {deployment.name}: its model is not defined")
        target = DeploymentView(deployment).target
        registry = registry_for(self.project)
        recorded = state.resources.get(str(Address.of("Model", model.name)))
        outputs = recorded.outputs if recorded is not None else {}
        builds = recorded_builds(outputs)
        trigger = read_trigger_records(self.project).get(deployment.address, {})
        if trigger.get("action") == "rollback":
            before, build = registry.rollback_alias(model.name, target)
            rolled: dict[str, Any] = {"rolled_back_from": before}
        else:
            recorded_build = outputs.get("build") if outputs.get("version") == model.version else None
            if not isinstance(recorded_build, str) or recorded_build not in builds:
                raise EngineError(
                    f"deployment {deployment.name}: model {model.name} {model.version} has no "
                    "build recorded in state; apply the model first"
                )
            build = recorded_build
            registry.set_alias(model.name, target, build)
            rolled = {}
        digest = builds.get(build, {}).get(MANIFEST)
        deployed = {
            "model_build": build,
            "model_build_digest": digest,
            **rolled,
            **registry.deployed_outputs(model.name, build),  # with MLflow: where its artifacts are
        }
        if isinstance(outputs.get("sklearn_version"), str):
            deployed["sklearn_version"] = outputs["sklearn_version"]
        return deployed

