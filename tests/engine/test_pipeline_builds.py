"""Where apply meets a cluster pipeline: a build the pipeline deployed becomes the deployment's build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from engine_fixtures import CLASSIFIER, Example

from modelspec.cli import cli

STAGING = "deployment.biopsy-classifier-staging"


def _modelspec(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), *args])


def _argo(example: Example) -> None:
    example.edit("modelspec.yaml", "engine: local", "engine: argo")


def _pipeline_deploys(example: Example, target: str = "staging") -> str:
    """What the Workflow's pods do: register a build and point the target's alias at it."""
    from modelspec.engine.local import run_pipeline
    from modelspec.registry.local import set_alias

    outputs = run_pipeline(example.project, example.graph(), CLASSIFIER)
    set_alias(example.project.registry_dir, CLASSIFIER, target, outputs["build"])
    return str(outputs["build"])


def _state(example: Example) -> dict[str, object]:
    state = json.loads((example.root / ".modelspec/state.json").read_text())
    resources: dict[str, object] = state["resources"]
    return resources


def test_apply_takes_up_the_build_the_pipeline_deployed(example: Example) -> None:
    _argo(example)
    first = _modelspec(example.root, "apply", "--auto-approve")
    assert first.exit_code == 0, first.output
    isvc = example.root / "generated/deployments/biopsy-classifier-staging/inferenceservice.yaml"
    assert not isvc.exists()  # nothing is registered yet: no manifest could name a build
    assert (example.root / f"generated/pipelines/{CLASSIFIER}/workflow.yaml").exists()

    build = _pipeline_deploys(example)
    plan = _modelspec(example.root, "plan")
    assert plan.exit_code == 0, plan.output
    assert f"the pipeline deployed {CLASSIFIER} {build}" in plan.output
    assert "Plan: 0 to create, 1 to update" in plan.output  # staging only: prod's alias is unset

    applied = _modelspec(example.root, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    document = yaml.safe_load(isvc.read_text())
    assert document["spec"]["predictor"]["model"]["storageUri"] == (
        f"pvc://modelspec-registry/{CLASSIFIER}/{build}"
    )
    manifest = example.project.registry_dir / CLASSIFIER / build / "manifest.json"
    from modelspec.registry.local import sha256

    outputs = _state(example)[STAGING]["outputs"]  # type: ignore[index]
    assert outputs["model_build"] == build
    assert outputs["model_build_digest"] == sha256(manifest.read_bytes())
    assert document["metadata"]["annotations"]["modelspec.dev/model-build-digest"] == (
        outputs["model_build_digest"]
    )
    again = _modelspec(example.root, "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_an_alias_to_another_version_or_no_folder_is_not_taken_up(example: Example) -> None:
    _argo(example)
    assert _modelspec(example.root, "apply", "--auto-approve").exit_code == 0
    registry = example.project.registry_dir / CLASSIFIER
    registry.mkdir(parents=True)
    (registry / "aliases.json").write_text(json.dumps({"staging": "0.9.0+1", "prod": "../../x+1"}))
    plan = _modelspec(example.root, "plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output  # no changes: neither alias names a current build


@pytest.mark.slow
def test_the_local_engine_ignores_aliases_it_did_not_set(example: Example) -> None:
    from modelspec.engine.pipeline_builds import deployed_by_pipeline
    from modelspec.state import State

    _pipeline_deploys(example)
    assert deployed_by_pipeline(example.project, example.graph(), State.empty("t")) == {}
