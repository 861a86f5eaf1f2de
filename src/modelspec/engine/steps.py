"""The pipeline steps (validate-data, train, evaluate, register), handing over through a work directory.

Each step reads what the one before wrote into the work directory, so the
four can run in separate containers that share a volume (the Argo Workflow)
or one after the other in this process (the local engine). A failed step
raises apply's EngineError with a message for the user.
"""

from __future__ import annotations

import hashlib
import pickle
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelspec import __version__, jsonio
from modelspec.compile.address import Address
from modelspec.compile.graph import Graph, Resource
from modelspec.compile.views import ContractView, ModelView, Refs
from modelspec.errors import EngineError
from modelspec.learn.train import TrainingData, load_training_data, progress
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.registry.backend import RegistryBackend

__all__ = [
    "STEPS",
    "StepContext",
    "evaluate_step",
    "register_step",
    "step_context",
    "train_step",
    "validate_data_step",
]

STEPS = ("validate-data", "train", "evaluate", "register")
VALIDATION, TRAINING, EVALUATION, BUILD = (
    "validation.json",
    "train.json",
    "evaluation.json",
    "build.json",
)
MODEL_FILE = "model.joblib"  # the pickle, registered for runtimes that require it; never loaded
SKOPS_FILE = "model.skops"  # what the evaluate step (and everything after the registry) loads
_RECORD_LIMIT = 64 << 20


@dataclass(frozen=True)
class StepContext:
    """What every step of one model needs."""

    root: Path  # the project root, which data paths are relative to
    registry: Path
    model: Resource
    contract: Resource
    workdir: Path
    registry_backend: RegistryBackend  # where register_step registers (registry.backend)


def step_context(
    project: Project, graph: Graph, model: str, workdir: Path | None = None
) -> StepContext:
    """The context for a model by name; an unknown model or missing contract is an EngineError."""
    from modelspec.registry.backend import registry_for

    resource = graph.get(Address.of("Model", model))
    if resource is None:
        known = ", ".join(r.name for r in graph.of_kind("Model")) or "none"
        raise EngineError(f"there is no Model named {model!r} (models: {known})")
    contract = Refs.of(graph, resource).contract
    if contract is None:
        raise EngineError(
            f"model {model}: its data contract {ModelView(resource).contract_name!r} is not defined"
        )
    return StepContext(
        root=project.root,
        registry=project.registry_dir,
        model=resource,
        contract=contract.resource,
        workdir=workdir or project.work_dir / "work" / model,
        registry_backend=registry_for(project),
    )


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _write(ctx: StepContext, name: str, value: Any) -> None:
    from modelspec.files import write_atomic

    write_atomic(ctx.workdir / name, _json_bytes(value))


def _json_bytes(value: Any) -> bytes:
    """Valid JSON (a metric that is NaN is written as null), as jsonio reads it back."""
    text = jsonio.dumps(jsonio.finite(value), sort_keys=True, indent=2, ensure_ascii=False)
    return (text + "\n").encode()


def _read(ctx: StepContext, name: str, step: str, data: TrainingData) -> dict[str, Any]:
    """A record an earlier step wrote, checked to be about this spec and this data."""
    from modelspec.files import read_regular

    try:
        record = jsonio.loads(read_regular(ctx.workdir / name, limit=_RECORD_LIMIT))
    except (OSError, ValueError):
        raise EngineError(
            f"model {ctx.model.name}: {ctx.workdir / name} is missing; run the {step} step first"
        ) from None
    if not isinstance(record, dict):
        raise EngineError(
            f"model {ctx.model.name}: {name} is not a record; run the {step} step again"
        )
    if record.get("spec_digest") != ctx.model.digest or record.get("data_sha256") != data.sha256:
        raise EngineError(
            f"model {ctx.model.name}: the {step} step ran on another spec or other data; run it again"
        )
    return record


def load_data(ctx: StepContext) -> TrainingData:
    return load_training_data(ctx.root, ctx.model, ctx.contract)


def validate_data_step(ctx: StepContext, data: TrainingData | None = None) -> dict[str, Any]:
    """Run the data contract on the training data; a failing contract stops the model."""
    from modelspec.engine.data_validation import validate_data

    data = data or load_data(ctx)
    for name in (VALIDATION, TRAINING, EVALUATION, BUILD, MODEL_FILE, SKOPS_FILE):  # start clean
        (ctx.workdir / name).unlink(missing_ok=True)  # only its own files: the volume may be shared
    progress(f"{ctx.model.name}: validating {data.source} against {ctx.contract.name}")
    result = validate_data(ctx.contract, data.frame)
    checks: list[dict[str, Any]] = [
        {
            "column": c.column,
            "rule": c.rule,
            "expectation": c.expectation,
            "success": c.success,
            "unexpected_count": c.unexpected_count,
            "unexpected_sample": _plain(c.unexpected_sample),
        }
        for c in result.checks
    ]
    record = {
        "model": ctx.model.name,
        "spec_digest": ctx.model.digest,
        "data_sha256": data.sha256,
        "success": bool(result.success),
        "row_count": int(result.row_count),
        "checks": checks,
    }
    _write(ctx, VALIDATION, record)
    if not result.success:
        failing = [
            f"{c['column'] or 'table'} {c['rule']}: {c['expectation']} ({c['unexpected_count']} unexpected"
            + (
                f", e.g. {', '.join(map(str, c['unexpected_sample'][:3]))})"
                if c["unexpected_sample"]
                else ")"
            )
            for c in checks
            if not c["success"]
        ]
        raise EngineError(
            f"model {ctx.model.name}: the data at {data.source} fails contract "
            f"{ctx.contract.name}: " + "; ".join(failing)
        )
    return record


def _plain(values: Any) -> list[Any]:
    """JSON-safe values (numpy scalars, timestamps and NaN become plain values or text)."""
    out: list[Any] = []
    for value in list(values or []):
        item = value.item() if hasattr(value, "item") else value
        out.append(
            item if isinstance(item, str | int | float | bool) or item is None else str(item)
        )
    return out


def train_step(ctx: StepContext, data: TrainingData | None = None) -> dict[str, Any]:
    """Fit the model on the training split and keep it in the work directory (skops and joblib)."""
    from modelspec.files import write_atomic
    from modelspec.learn.train import fit
    from modelspec.registry.modelfile import dump_model

    data = data or load_data(ctx)
    validation = _read(ctx, VALIDATION, "validate-data", data)
    if not validation.get("success"):
        raise EngineError(
            f"model {ctx.model.name}: the data failed validation; fix it and rerun validate-data"
        )
    progress(f"{ctx.model.name}: training {ModelView(ctx.model).estimator_class}")
    trained = fit(ctx.model, data)
    skops = dump_model(trained.estimator, f"model {ctx.model.name}")
    # a plain pickle: joblib.load (KServe, MLServer) and pickle.load (MLflow) both read it
    content = pickle.dumps(trained.estimator, protocol=5)
    write_atomic(ctx.workdir / SKOPS_FILE, skops)
    write_atomic(ctx.workdir / MODEL_FILE, content)
    record = {
        "model": ctx.model.name,
        "spec_digest": ctx.model.digest,
        "data_sha256": data.sha256,
        "model_sha256": _sha256(content),
        "skops_sha256": _sha256(skops),
        "test_rows": list(trained.test_rows),
        "best_params": trained.best_params,
    }
    _write(ctx, TRAINING, record)
    return record


def _trained_model(ctx: StepContext, record: dict[str, Any]) -> tuple[Any, dict[str, bytes]]:
    """The model the train step wrote, rebuilt from model.skops (trusted types only) once both
    model files match the sha256 the train record gives; and the two files' bytes."""
    from modelspec.files import ReadRefused, read_regular
    from modelspec.registry.modelfile import MAX_MODEL_BYTES, load_model

    contents: dict[str, bytes] = {}
    for name, key in ((SKOPS_FILE, "skops_sha256"), (MODEL_FILE, "model_sha256")):
        path = ctx.workdir / name
        try:
            content = read_regular(path, limit=MAX_MODEL_BYTES)
        except (OSError, ReadRefused):
            content = b""
        if _sha256(content) != record.get(key):
            raise EngineError(
                f"model {ctx.model.name}: {path} does not match what train wrote; "
                "it is not loaded (run train again)"
            )
        contents[name] = content
    return load_model(contents[SKOPS_FILE], str(ctx.workdir / SKOPS_FILE)), contents


def evaluate_step(ctx: StepContext, data: TrainingData | None = None) -> dict[str, Any]:
    """Metrics on the held-out rows; every gate of spec.evaluation.metrics must pass."""
    from modelspec.learn.evaluate import check_gates, metrics_for
    from modelspec.learn.train import feature_frame

    data = data or load_data(ctx)
    training = _read(ctx, TRAINING, "train", data)
    estimator, _ = _trained_model(ctx, training)
    rows = data.frame.iloc[training["test_rows"]]
    x = feature_frame(rows, data.numeric, data.categorical)
    model = ModelView(ctx.model)
    metrics, averaging = metrics_for(str(model.task), estimator, x, rows[data.target])
    gates = check_gates(metrics, model.gates)
    passed = all(g.passed for g in gates)
    record = {
        "model": ctx.model.name,
        "spec_digest": ctx.model.digest,
        "data_sha256": data.sha256,
        "metrics": metrics,
        "averaging": averaging,
        "gates": [g.as_dict() for g in gates],
        "passed": passed,
        "test_rows": len(rows),
    }
    _write(ctx, EVALUATION, record)
    progress(f"{ctx.model.name}: " + ", ".join(f"{k} {v:.4g}" for k, v in metrics.items()))
    if not passed:
        failed = "; ".join(g.message for g in gates if not g.passed)
        raise EngineError(
            f"model {ctx.model.name} {model.version} failed evaluation: {failed}"
        )
    return record


def register_step(ctx: StepContext, data: TrainingData | None = None) -> dict[str, Any]:
    """Register the evaluated model as the next build of its version; the outputs for state."""
    from modelspec.monitoring.drift import summarize
    from modelspec.registry.backend import TrainingRun
    from modelspec.registry.runtime_files import example_row, runtime_files
    from modelspec.registry.trust import BUILDS, builds_output

    data = data or load_data(ctx)
    training = _read(ctx, TRAINING, "train", data)
    evaluation = _read(ctx, EVALUATION, "evaluate", data)
    if not evaluation.get("passed"):
        raise EngineError(f"model {ctx.model.name} did not pass evaluation and is not registered")
    estimator, model_files = _trained_model(ctx, training)
    model = ModelView(ctx.model)
    seed = model.seed
    summary = summarize(data.frame, data.numeric, data.categorical, seed)
    signature, versions = _signature(ctx, data, estimator), _versions()
    files = {
        **model_files,
        "metrics.json": _json_bytes(
            {
                "metrics": evaluation["metrics"],
                "averaging": evaluation["averaging"],
                "gates": evaluation["gates"],
                "best_params": training["best_params"],
                "test_rows": evaluation["test_rows"],
            }
        ),
        "signature.json": _json_bytes(signature),
        "data.json": _json_bytes(
            {"sha256": data.sha256, "source": data.source, "seed": seed, **summary}
        ),
        "versions.json": _json_bytes(versions),
    }
    version = str(model.version)
    row = example_row(data.frame, data.numeric, data.categorical)
    files.update(
        runtime_files(ctx.model.name, version, signature, versions, row, len(model_files[MODEL_FILE]))
    )
    run = TrainingRun(
        estimator=str(model.estimator_class),
        params=dict(model.estimator.get("params") or {}),
        best_params=dict(training["best_params"] or {}),
        metrics={k: v for k, v in evaluation["metrics"].items() if isinstance(v, int | float)},
        spec_digest=ctx.model.digest,
        data_digest=data.sha256,
        sklearn_version=versions.get("sklearn"),
    )
    registered = ctx.registry_backend.register(ctx.model.name, version, files, run)
    build = registered.build
    outputs = {
        "version": version,
        "build": build.build,
        "metrics": evaluation["metrics"],
        "data_digest": data.sha256,
        "artifact_digest": build.artifact_digest,
        "sklearn_version": versions.get("sklearn"),  # what a runtime must be able to unpickle
        **registered.outputs,  # registry_path (and the MLflow version, with that backend)
        BUILDS: builds_output(build),  # what serve, monitor and score verify the build against
    }
    _write(ctx, BUILD, outputs)
    progress(f"{ctx.model.name}: registered {build.build}")
    return outputs


def _signature(ctx: StepContext, data: TrainingData, estimator: Any) -> dict[str, Any]:
    columns = ContractView(ctx.contract).column_types
    signature: dict[str, Any] = {
        "task": ModelView(ctx.model).task,
        "inputs": [
            {
                "name": f,
                "type": data.column_types[f],
                "kind": "numeric" if f in data.numeric else "categorical",
            }
            for f in (*data.numeric, *data.categorical)  # the order the model takes them in
        ],
        "target": {"name": data.target, "type": columns.get(data.target, "string")},
    }
    if hasattr(estimator, "classes_"):
        signature["classes"] = [_plain([c])[0] for c in estimator.classes_]
    return signature


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist, key in (
        ("scikit-learn", "sklearn"),
        ("numpy", "numpy"),
        ("pandas", "pandas"),
        ("scipy", "scipy"),
        ("joblib", "joblib"),
        ("skops", "skops"),
    ):
        try:
            out[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[key] = "unknown"
    out["modelspec"] = __version__  # the running code's, whatever its distribution is named
    return out
