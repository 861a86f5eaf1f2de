"""The Kubeflow pipeline: compiled by the KFP SDK, byte-deterministic, and run by KFP's own local runner."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelspec.compile import load_graph
from modelspec.generate.argo import DEPLOY_STEP, PIPELINE_STEPS
from modelspec.generate.bundle import pipeline_refs
from modelspec.generate.cache import render_context
from modelspec.project import load_project

kfp = pytest.importorskip("kfp", reason="the `kubeflow` extra (kfp) is not installed")

from modelspec.generate.kubeflow import render_kubeflow  # noqa: E402

Example = Any  # the `example` fixture (tests/support/engine_fixtures.py)
CLASSIFIER = "biopsy-malignancy-classifier"
PIPELINE = f"pipelines/{CLASSIFIER}/pipeline.yaml"
STEPS = (*PIPELINE_STEPS, DEPLOY_STEP)
# kfp.local warns about every image whose name lacks "python"; the runner image is ours
IMAGE_WARNING = "ignore:You may be attemping to run a task:RuntimeWarning"

pytestmark = pytest.mark.slow  # imports kfp (about a second); the run trains a model


def _kubeflow(example: Example) -> Example:
    example.edit("modelspec.yaml", "engine: local", "engine: kubeflow")
    return example


def _rendered(root: Path) -> bytes:
    project, diags = load_project(root)
    assert project is not None, diags
    graph, diags = load_graph(project)
    assert not [d for d in diags if d.is_error], diags
    model = graph.get(f"model.{CLASSIFIER}")
    assert model is not None
    refs = {**graph.refs(model), **pipeline_refs(graph, model)}  # what apply renders it with
    (artifact,) = render_kubeflow(model, refs, render_context(project))
    assert artifact.path == PIPELINE
    return artifact.content


@pytest.fixture
def kubeflow_example(example: Example) -> Example:
    return _kubeflow(example)


@pytest.fixture
def local_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """kfp.local with the subprocess runner in this interpreter, everything under tmp_path."""
    from kfp import local
    from kfp.local import config

    monkeypatch.chdir(tmp_path)
    local.init(
        runner=local.SubprocessRunner(use_venv=False),
        pipeline_root=str(tmp_path / "outputs"),
        workspace_root=str(tmp_path / "workspace"),
    )
    try:
        yield tmp_path / "outputs"
    finally:
        config.LocalExecutionConfig.instance = None


def test_the_pipeline_is_kfp_ir_with_the_workflows_steps(kubeflow_example: Example) -> None:
    content = _rendered(kubeflow_example.root)
    document, platform = yaml.safe_load_all(content)  # the pipeline, and its Kubernetes settings
    assert document["pipelineInfo"]["name"] == f"train-{CLASSIFIER}"
    assert document["sdkVersion"] == f"kfp-{kfp.__version__}"
    tasks = document["root"]["dag"]["tasks"]
    assert sorted(tasks) == sorted(STEPS)
    for before, after in itertools.pairwise(STEPS):
        assert tasks[after]["dependentTasks"] == [before]
        source = tasks[after]["inputs"]["artifacts"]["previous"]["taskOutputArtifact"]
        assert source == {"outputArtifactKey": "work", "producerTask": before}
    for step, task in tasks.items():
        assert task["cachingOptions"] == {}, f"{step} may be served from KFP's cache"
        executor = document["deploymentSpec"]["executors"][f"exec-{step}"]["container"]
        assert executor["image"] == "ghcr.io/modelspec/modelspec:0.1.0"
        assert executor["env"] == [
            {"name": "MODELSPEC_REGISTRY_URI", "value": "pvc://modelspec-registry"}
        ]
        program = "\n".join(executor["command"])
        assert "kfp.dsl.executor_main" in program  # a lightweight Python component
        assert "pip install" not in program  # the image brings modelspec and kfp
        assert f'_run_step("{step}", model' in program
    # every step's pod mounts the registry claim and the data claim, as the Argo Workflow's do
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    for step in STEPS:
        mounts = {m["constant"]: m["mountPath"] for m in executors[f"exec-{step}"]["pvcMount"]}
        assert mounts == {
            "modelspec-registry": "/var/lib/modelspec/registry",
            "modelspec-data": "/var/lib/modelspec/data",
        }
    parameters = document["root"]["inputDefinitions"]["parameters"]
    assert parameters["registry_dir"]["defaultValue"] == "/var/lib/modelspec/registry"
    assert parameters["data_dir"]["defaultValue"] == "/var/lib/modelspec/data"
    # KFP's own loader reads it back as a pipeline (a graph component)
    component = kfp.components.load_component_from_text(content.decode())
    assert component.component_spec.implementation.graph is not None


def test_the_specs_travel_in_the_pipeline_and_load_with_their_digests(
    kubeflow_example: Example, tmp_path: Path
) -> None:
    document = next(yaml.safe_load_all(_rendered(kubeflow_example.root)))
    constant = document["root"]["dag"]["tasks"]["validate-data"]["inputs"]["parameters"]
    bundle = json.loads(constant["bundle"]["runtimeValue"]["constant"])
    assert bundle["data"] == ["data/breast_cancer.csv"]
    root = tmp_path / "unpacked"
    for rel, text in bundle["files"].items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    project, _ = load_project(root)
    assert project is not None and project.config.pipelines.engine == "kubeflow"
    unpacked, diags = load_graph(project)
    assert not [d for d in diags if d.is_error], diags
    original = kubeflow_example.graph()
    digests = {r.address: r.digest for r in unpacked}
    assert {"model." + CLASSIFIER, "datacontract.breast-cancer-biopsies"} <= set(digests)
    assert "deployment.biopsy-classifier-prod" in digests  # deploy renders its manifests
    for address, digest in digests.items():
        resource = original.get(address)
        assert resource is not None and resource.digest == digest, address


def test_rendering_is_byte_identical_across_processes(kubeflow_example: Example) -> None:
    first = _rendered(kubeflow_example.root)
    assert _rendered(kubeflow_example.root) == first
    program = (
        "import sys; sys.path.insert(0, sys.argv[2]); from test_kubeflow import _rendered; "
        "from pathlib import Path; sys.stdout.buffer.write(_rendered(Path(sys.argv[1])))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", program, str(kubeflow_example.root), str(Path(__file__).parent)],
            capture_output=True, check=True, env=env, cwd=kubeflow_example.root.parent,
        ).stdout
        assert out == first
    text = first.decode()
    assert str(kubeflow_example.root) not in text and "/tmp" not in text


@pytest.mark.filterwarnings(IMAGE_WARNING)
def test_kfp_local_runs_the_rendered_pipeline_to_a_registered_build(
    kubeflow_example: Example, local_runner: Path, tmp_path: Path
) -> None:
    from modelspec.learn.train import feature_frame
    from modelspec.registry.local import MANIFEST, get_alias, sha256
    from modelspec.registry.modelfile import load_model

    rendered = tmp_path / "pipeline.yaml"
    rendered.write_bytes(_rendered(kubeflow_example.root))
    registry = tmp_path / "registry"
    pipeline = kfp.components.load_component_from_file(str(rendered))
    started = time.monotonic()
    task = pipeline(data_dir=str(kubeflow_example.root), registry_dir=str(registry))
    print(f"kfp.local ran the pipeline in {time.monotonic() - started:.1f} s")

    work = task.outputs["Output"]
    assert work.metadata["build"] == "1.0.0+1"
    build = registry / CLASSIFIER / "1.0.0+1"
    manifest = json.loads((build / MANIFEST).read_text())
    assert manifest["build"] == "1.0.0+1"
    assert sorted(p.name for p in build.iterdir()) == sorted([*manifest["files"], MANIFEST])
    for name, digest in manifest["files"].items():
        assert sha256((build / name).read_bytes()) == digest, name
    assert work.metadata["artifact_digest"].startswith("sha256:")
    records = Path(work.path) / "records"
    assert json.loads((records / "build.json").read_text())["build"] == "1.0.0+1"
    # deploy pointed the deployments' targets at the build and rendered their manifests for it
    assert get_alias(registry, CLASSIFIER, "prod") == "1.0.0+1"
    service = records / "deploy" / "deployments" / "biopsy-classifier-prod" / "inferenceservice.yaml"
    assert f"{CLASSIFIER}/1.0.0+1" in service.read_text()
    # every step ran in its own process on its own copy of the work: one output per step
    steps = {p.parent.name for p in local_runner.glob("*/*/work")}
    assert steps == set(STEPS)
    assert not (kubeflow_example.root / ".modelspec").exists()  # data_dir is only read

    import pandas as pd

    estimator = load_model((build / "model.skops").read_bytes(), "model.skops")
    signature = json.loads((build / "signature.json").read_text())
    numeric = tuple(i["name"] for i in signature["inputs"] if i["kind"] == "numeric")
    rows = pd.read_csv(kubeflow_example.root / "data" / "breast_cancer.csv").head(5)
    predictions = estimator.predict(feature_frame(rows, numeric, ()))
    assert len(predictions) == 5 and set(predictions) <= set(signature["classes"])


@pytest.mark.filterwarnings(IMAGE_WARNING)
def test_a_step_that_fails_fails_the_local_run(
    kubeflow_example: Example, local_runner: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rendered = tmp_path / "pipeline.yaml"
    rendered.write_bytes(_rendered(kubeflow_example.root))
    pipeline = kfp.components.load_component_from_file(str(rendered))
    empty = tmp_path / "no-data"
    empty.mkdir()
    with pytest.raises(RuntimeError, match="validate-data"):
        pipeline(data_dir=str(empty), registry_dir=str(tmp_path / "registry"))
    assert "the training data data/breast_cancer.csv is not in data_dir" in capsys.readouterr().out
    assert not (tmp_path / "registry").exists()


def test_without_kfp_rendering_stops_with_one_line_naming_the_extra(
    kubeflow_example: Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelspec.errors import UserError

    for name in [m for m in sys.modules if m == "kfp" or m.startswith("kfp.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "kfp", None)  # `import kfp` raises ImportError
    with pytest.raises(UserError) as raised:
        _rendered(kubeflow_example.root)
    assert str(raised.value) == (
        "pipelines.engine kubeflow needs the KFP SDK: pip install 'modelspec-cli[kubeflow]'"
    )


def test_the_bytes_do_not_depend_on_what_else_changed_pyyaml(kubeflow_example: Example) -> None:
    """hera (and others) register a global `str` representer on import; KFP dumps with it."""
    import yaml

    first = _rendered(kubeflow_example.root)

    def literal(dumper: yaml.Dumper, data: str) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")

    saved = dict(yaml.Dumper.yaml_representers)
    yaml.add_representer(str, literal)
    try:
        assert _rendered(kubeflow_example.root) == first
    finally:
        yaml.Dumper.yaml_representers = saved
