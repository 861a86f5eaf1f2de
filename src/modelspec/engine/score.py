"""Batch scoring: a deployment's verified build predicting every row of a table (`run-step score`, the CronJob).

The build is the one the deployment serves, checked before anything is read
or written. In a project it is the one apply deployed, verified against the
digests state recorded. In a pod (the batch CronJob) no state exists: the
manifest names the build folder (`MODELSPEC_BUILD_DIR`) and the sha256 of its
manifest.json (`MODELSPEC_BUILD_DIGEST`), which vouches for every other file,
as for `modelspec serve`. The scores are written atomically: a run that fails
leaves no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph
from modelspec.compile.views import DeploymentView, Refs
from modelspec.errors import EngineError
from modelspec.project import Project

if TYPE_CHECKING:
    from modelspec.registry.verify import VerifiedBuild

__all__ = ["BuildSource", "score_batch", "scores_file"]


@dataclass(frozen=True)
class BuildSource:
    """Where the build to score with is, when not through state: a build folder, and the sha256 of
    its manifest.json that vouches for it (None: verify it against the project's state)."""

    path: Path
    digest: str | None = None


def score_batch(
    project: Project,
    graph: Graph,
    deployment: str,
    input_path: Path | None,
    output_path: Path | None,
    build: BuildSource | None = None,
) -> tuple[Path, int, str]:
    """Predict with the deployment's build; (output file, rows, build).

    The build is build when given, else the one apply deployed. The input defaults
    to the model's contract source; the output to `.modelspec/scores/<deployment>.csv`,
    and an output that is a directory gets `<deployment>/<build>/scores-<UTC time>.csv`
    (scores_file). The file holds the input rows with a `prediction` column (and
    `probability` of the positive class for binary classifiers).
    """
    from modelspec.learn.tabular import format_of, read_table
    from modelspec.learn.train import NUMERIC_TYPES, feature_frame

    resource = graph.get(Address.of("Deployment", deployment))
    refs = Refs.of(graph, resource) if resource is not None else Refs({})
    model, contract = refs.model, refs.contract
    if resource is None or model is None:
        raise EngineError(f"there is no Deployment named {deployment!r} with a defined model")
    verified = _verified(project, deployment, model.name, DeploymentView(resource).target, build)
    source_format = contract.source_format if contract is not None else "csv"
    if input_path is None:
        input_path = contract.source_file(project.root) if contract is not None else None
        if input_path is None:
            raise EngineError(
                f"deployment {deployment}: give --input (the contract has no source path)"
            )
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
    target = scores_file(project, deployment, verified.build, output_path)
    _write(out, target)
    return target, len(out), verified.build


def _verified(
    project: Project, deployment: str, model: str, target: str, build: BuildSource | None
) -> VerifiedBuild:
    """The build to score with, every file checked; EngineError (nothing is read) otherwise."""
    from modelspec.registry.trust import open_deployed, record_for_dir
    from modelspec.registry.verify import open_build, record_from_digest

    if build is None:
        verified = open_deployed(project, deployment, model, target)
        if verified is None:
            raise EngineError(f"deployment {deployment} has no deployed build yet: apply it first")
        return verified
    if build.digest:
        directory, record = build.path, record_from_digest(build.path, build.digest)
    else:
        directory, record = record_for_dir(project, build.path)
    if record.model != model:
        raise EngineError(
            f"{directory} is a build of model {record.model}, but deployment {deployment} "
            f"serves model {model}; nothing is scored"
        )
    return open_build(directory, record)


def scores_file(
    project: Project, deployment: str, build: str, output_path: Path | None
) -> Path:
    """Where the scores go: output_path; in a directory, `<deployment>/<build>/scores-<UTC time>.csv`
    (a new name for every run: the CronJob's claim keeps each run's scores); by default
    `.modelspec/scores/<deployment>.csv`."""
    from modelspec import clock

    if output_path is None:
        return project.work_dir / "scores" / f"{deployment}.csv"
    if not output_path.is_dir():
        return output_path
    folder = output_path / deployment / build
    stamp = clock.utc_now().strftime("%Y%m%dT%H%M%SZ")
    candidate, n = folder / f"scores-{stamp}.csv", 1
    while candidate.exists():  # a retry within the same second keeps the earlier file
        n += 1
        candidate = folder / f"scores-{stamp}-{n}.csv"
    return candidate


def _write(frame: Any, path: Path) -> None:
    """The scores as csv, json (records) or parquet by the file's suffix, written atomically."""
    import io

    from modelspec.files import write_atomic
    from modelspec.learn.tabular import format_of

    kind = format_of(path) or "csv"
    if kind == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        content = buffer.getvalue()
    elif kind == "json":
        content = frame.to_json(orient="records").encode()
    else:
        content = frame.to_csv(index=False).encode()
    try:
        write_atomic(path, content)
    except OSError as exc:
        raise EngineError(f"cannot write the scores to {path}: {exc.strerror or exc}") from None
