"""Kubeflow Pipelines (KFP v2 IR YAML) that trains a Model with the kubeflow engine."""

# No `from __future__ import annotations` here: KFP reads the component functions'
# annotations (Input[Artifact], Output[Artifact]) as objects, not strings.

import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from modelspec.compile.graph import Resource
from modelspec.compile.roles import Role
from modelspec.compile.views import ModelView
from modelspec.errors import UserError
from modelspec.generate.argo import DATA_CLAIM, DEPLOY_STEP, PIPELINE_STEPS
from modelspec.generate.bundle import brace_safe_json, bundle_files, data_path
from modelspec.generate.common import Artifact, RenderContext, registry_volume, safe_join
from modelspec.generate.kubernetes import REGISTRY_MOUNT

__all__ = [
    "BUNDLE_FORMAT",
    "DATA_MOUNT",
    "KFP_MISSING",
    "KfpMissing",
    "pipeline",
    "pipeline_bundle",
    "render_kubeflow",
]

DATA_MOUNT = "/var/lib/modelspec/data"  # default data_dir: the contract's source path is below it
BUNDLE_FORMAT = 1
KFP_MISSING = "pipelines.engine kubeflow needs the KFP SDK: pip install 'modelspec-cli[kubeflow]'"


class KfpMissing(UserError):
    """The `kfp` package (the optional extra `kubeflow`) is not installed: one line, exit 1."""


def pipeline_bundle(model: Resource, refs: Mapping[str, Resource], ctx: RenderContext) -> str:
    """The project the steps work in, as JSON: the files of the Argo Workflow's bundle
    (generate/bundle.py: modelspec.yaml and the normalized specs, which load back with the
    same digests) and the data path the first step copies from data_dir."""
    data = data_path(refs.get(Role.CONTRACT))
    bundle = {
        "format_version": BUNDLE_FORMAT,
        "files": bundle_files(model, refs, ctx),
        "data": [] if data is None else [data],
    }
    return brace_safe_json(bundle, indent=None)


# The functions below run inside the step containers (KFP embeds their source in the IR):
# they use the standard library only, and run `modelspec run-step` as a subprocess.


def _write_project(bundle: str, data_dir: str, project_dir: str) -> None:
    """Write the specs the pipeline carries; copy the data they name from data_dir."""
    import json
    import os
    import shutil

    def inside(root: str, rel: str) -> str:
        parts = rel.split("/")
        if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
            raise SystemExit(f"modelspec: refusing the bundle path {rel!r}")
        return os.path.join(root, *parts)

    content = json.loads(bundle)
    if content.get("format_version") != 1:
        raise SystemExit("modelspec: this pipeline's bundle needs another modelspec version")
    for rel, text in sorted(content["files"].items()):
        path = inside(project_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    for rel in content["data"]:
        source, target = inside(data_dir, rel), inside(project_dir, rel)
        if not os.path.isfile(source):
            raise SystemExit(f"modelspec: the training data {rel} is not in data_dir {data_dir}")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(source, target)


def _run_step(step: str, model: str, registry_dir: str, previous: str, work: str) -> None:
    """Run `modelspec run-step STEP --model MODEL` on the work artifact: work/project is the
    project (MODELSPEC_PROJECT_DIR), work/records the records steps hand over
    (MODELSPEC_WORK_DIR); previous is the step before's work artifact, copied first."""
    import os
    import shutil
    import subprocess
    import sys

    if previous:
        shutil.copytree(previous, work, dirs_exist_ok=True)
    project, records = os.path.join(work, "project"), os.path.join(work, "records")
    os.makedirs(records, exist_ok=True)
    env = {
        **os.environ,
        "MODELSPEC_PROJECT_DIR": project,
        "MODELSPEC_WORK_DIR": records,
        "MODELSPEC_REGISTRY_DIR": registry_dir,
    }
    command = [sys.executable, "-m", "modelspec", "run-step", step, "--model", model]
    code = subprocess.call(command, cwd=project, env=env)
    if code != 0:
        raise SystemExit(f"modelspec run-step {step} --model {model} failed (exit {code})")


def _build_of(work: str) -> dict[str, str]:
    """The build the register step recorded in the work's records (KFP artifact metadata)."""
    import json

    with open(work + "/records/build.json", encoding="utf-8") as handle:
        build = json.load(handle)
    return {"build": build["build"], "artifact_digest": build["artifact_digest"]}


def _components(image: str) -> dict[str, Any]:
    """One lightweight Python component per step, by step name, running in image."""
    try:
        from kfp import dsl
        from kfp.dsl import Artifact, Input, Output
    except ImportError:
        raise KfpMissing(KFP_MISSING) from None

    def validate_data(
        model: str, bundle: str, data_dir: str, registry_dir: str, work: Output[Artifact]
    ) -> None:
        _write_project(bundle, data_dir, work.path + "/project")
        _run_step("validate-data", model, registry_dir, "", work.path)

    def train(
        model: str, registry_dir: str, previous: Input[Artifact], work: Output[Artifact]
    ) -> None:
        _run_step("train", model, registry_dir, previous.path, work.path)

    def evaluate(
        model: str, registry_dir: str, previous: Input[Artifact], work: Output[Artifact]
    ) -> None:
        _run_step("evaluate", model, registry_dir, previous.path, work.path)

    def register(
        model: str, registry_dir: str, previous: Input[Artifact], work: Output[Artifact]
    ) -> None:
        _run_step("register", model, registry_dir, previous.path, work.path)
        work.metadata.update(_build_of(work.path))

    def deploy(
        model: str, registry_dir: str, previous: Input[Artifact], work: Output[Artifact]
    ) -> None:
        _run_step("deploy", model, registry_dir, previous.path, work.path)
        work.metadata.update(_build_of(work.path))

    functions: dict[str, Callable[..., None]] = {
        "validate-data": validate_data,
        "train": train,
        "evaluate": evaluate,
        "register": register,
        "deploy": deploy,
    }
    out: dict[str, Any] = {}
    for step, function in functions.items():
        helpers: list[Callable[..., Any]] = [_run_step]
        if step == "validate-data":
            helpers.append(_write_project)
        elif step in ("register", "deploy"):
            helpers.append(_build_of)
        out[step] = dsl.component(
            function, base_image=image, install_kfp_package=False, additional_funcs=helpers
        )
    return out


def pipeline(model: Resource, refs: Mapping[str, Resource], ctx: RenderContext) -> Any:
    """The KFP pipeline (a kfp GraphComponent) of the model's steps; KfpMissing without kfp."""
    components = _components(ctx.image)
    from kfp import dsl
    from kfp.dsl import Artifact as KfpArtifact

    bundle = pipeline_bundle(model, refs, ctx)
    version = ModelView(model).version or "0.0.0"
    steps = (*PIPELINE_STEPS, DEPLOY_STEP)  # the Argo Workflow's, in its order

    def train_model(data_dir: str = DATA_MOUNT, registry_dir: str = REGISTRY_MOUNT) -> KfpArtifact:
        task = components["validate-data"](
            model=model.name, bundle=bundle, data_dir=data_dir, registry_dir=registry_dir
        )
        _configure(task, ctx)
        for step in steps[1:]:
            task = components[step](
                model=model.name, registry_dir=registry_dir, previous=task.outputs["work"]
            )
            _configure(task, ctx)
        return task.outputs["work"]  # the last step's work: its metadata names the build

    return dsl.pipeline(
        train_model,
        name=f"train-{model.name}",
        description=f"Trains, evaluates, registers and deploys model {model.name} {version} "
        f"(spec {model.digest}) with `modelspec run-step`.",
    )


def _configure(task: Any, ctx: RenderContext) -> None:
    # Never served from KFP's cache: register has a side effect (a new build in the
    # registry), and the data under data_dir may change while the parameters do not.
    task.set_caching_options(False)
    task.set_env_variable("MODELSPEC_REGISTRY_URI", ctx.registry_uri)
    # The registry and the data live on claims every step's pod mounts (kfp-kubernetes), as
    # in the Argo Workflow; kfp.local runs the steps on this machine and ignores the mounts.
    from kfp import kubernetes

    claim = registry_volume(ctx.registry_uri)
    if claim is not None:
        kubernetes.mount_pvc(task, pvc_name=claim[0], mount_path=REGISTRY_MOUNT, sub_path=claim[1])
    kubernetes.mount_pvc(task, pvc_name=DATA_CLAIM, mount_path=DATA_MOUNT)


@contextmanager
def _pristine_yaml() -> Iterator[None]:
    """PyYAML's own string representer while KFP writes the file: KFP dumps with PyYAML's global
    Dumper, which any imported library may have changed (hera registers a `|`-block one), and
    the bytes must not depend on what else the process imported."""
    import yaml
    from yaml.representer import Representer, SafeRepresenter

    original: Any = SafeRepresenter.represent_str
    tables = [yaml.Dumper.yaml_representers, Representer.yaml_representers]
    tables.append(SafeRepresenter.yaml_representers)
    saved = [table.get(str) for table in tables]
    for table in tables:
        table[str] = original
    try:
        yield
    finally:
        for table, previous in zip(tables, saved, strict=True):
            if previous is None:
                table.pop(str, None)
            else:
                table[str] = previous


def render_kubeflow(
    model: Resource, refs: Mapping[str, Resource], ctx: RenderContext
) -> list[Artifact]:
    """`pipelines/<model>/pipeline.yaml`: what `kfp.compiler.Compiler().compile` writes."""
    graph = pipeline(model, refs, ctx)
    from kfp import compiler

    with tempfile.TemporaryDirectory(prefix="modelspec-kfp-") as tmp, _pristine_yaml():
        target = Path(tmp) / "pipeline.yaml"
        compiler.Compiler().compile(graph, str(target))
        content = target.read_bytes()
    return [Artifact(path=safe_join("pipelines", model.name, "pipeline.yaml"), content=content)]
