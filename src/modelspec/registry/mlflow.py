"""The MLflow model registry backend: each build an MLflow model version, each target's alias an MLflow alias.

The server is MLflow's own `MLFLOW_TRACKING_URI` (credentials from MLflow's own
environment variables, never written by modelspec). A build is registered as:
a run in the experiment `modelspec/<model>` holding the training's params,
metrics and tags; a logged model of that run whose artifacts are the build
folder, byte for byte (manifest.json included); and a version of the
registered model named after the Model. MLflow keeps no alias history, so
modelspec keeps it as a registered-model tag. A build is loaded only from a
fresh download into `.modelspec/mlflow-builds/`, verified against state like
a local build (registry/verify.py). See docs/registry-mlflow.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from modelspec import jsonio
from modelspec.errors import EngineError
from modelspec.registry.backend import Registered, TrainingRun
from modelspec.registry.local import MANIFEST, Build, build_manifest, is_build_name, sha256
from modelspec.registry.mlflow_calls import (
    ENV,
    by_alias,
    call,
    check_reachable,
    ensure_model,
    page,
    quiet,
    registered,
    server_uri,
    shown,
)

__all__ = ["BUILD_TAG", "HISTORY_TAG", "MlflowRegistry", "experiment_name", "server_uri"]

BUILD_TAG = "modelspec.build"  # on the run, the logged model and the version: "<version>+<N>"
VERSION_TAG = "modelspec.version"
HISTORY_TAG = "modelspec.alias_history."  # + target: a registered-model tag, JSON list of builds
HISTORY_KEPT = 1000  # entries kept per target (a tag value holds at most 100,000 characters)
_T = TypeVar("_T")


def experiment_name(model: str) -> str:
    return f"modelspec/{model}"


class MlflowRegistry:
    """A registry backend on an MLflow tracking server with a model registry."""

    def __init__(self, cache: Path, storage_root: str) -> None:
        self.cache = cache  # downloads of builds, each verified before use
        self.storage_root = storage_root  # registry.uri: the artifact store runtimes read
        self._handle: Any = None
        self._uri = ""

    # -- the connection ------------------------------------------------------------------

    def _client(self) -> Any:
        if self._handle is not None:
            return self._handle
        uri = server_uri()
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
        try:
            from mlflow import MlflowClient
        except ImportError as exc:
            raise EngineError(
                f"registry.backend is mlflow, but MLflow is not installed ({exc.name or exc}): "
                "pip install 'modelspec-cli[mlflow]'"
            ) from None
        check_reachable(uri)
        self._uri = uri
        self._handle = MlflowClient(tracking_uri=uri, registry_uri=uri)
        return self._handle

    def _call(self, what: str, run: Callable[[], _T]) -> _T:
        return call(self._uri, what, run)

    # -- model versions ------------------------------------------------------------------

    def _versions(self, model: str) -> dict[str, Any]:
        """build name -> model version, for the versions of model modelspec registered."""
        client = self._client()
        found: dict[str, Any] = {}
        token: str | None = None
        while True:
            found_page = self._call(
                f"list the versions of {model}", partial(page, client, model, token)
            )
            for version in found_page:
                build = version.tags.get(BUILD_TAG)
                if is_build_name(build):
                    found.setdefault(build, []).append(version)
            token = found_page.token
            if not token:
                return found

    def _version_of(self, model: str, build: str) -> Any:
        versions = self._versions(model).get(build, [])
        if len(versions) != 1:
            how = "no version" if not versions else f"{len(versions)} versions"
            raise EngineError(
                f"MLflow registered model {model} has {how} tagged {BUILD_TAG}={build} at "
                f"{shown(self._uri)}; restore the registry from a backup, or apply the model again"
            )
        return versions[0]

    def register(
        self, model: str, version: str, files: Mapping[str, bytes], run: TrainingRun
    ) -> Registered:
        client = self._client()
        numbers = [int(b.rpartition("+")[2]) for b in self._versions(model) if b.startswith(f"{version}+")]
        build = f"{version}+{max(numbers, default=0) + 1}"
        digests = {name: sha256(content) for name, content in sorted(files.items())}
        manifest = build_manifest(model, build, digests)
        all_files = {**digests, MANIFEST: sha256(manifest)}
        tags = {
            BUILD_TAG: build,
            VERSION_TAG: version,
            "modelspec.spec_digest": run.spec_digest,
            "modelspec.data_digest": run.data_digest,
            "modelspec.manifest_digest": all_files[MANIFEST],
        }
        folder = self._keep(model, build, {**files, MANIFEST: manifest})
        run_id, model_id = self._log_run(client, model, build, folder, run, tags)
        self._call(f"create registered model {model}", lambda: ensure_model(client, model))
        created = self._call(
            f"create a version of {model}",
            lambda: client.create_model_version(
                model, f"models:/{model_id}", run_id=run_id, tags=tags, model_id=model_id,
                await_creation_for=0,
            ),
        )
        outputs = {
            "registry_path": f"models:/{model}/{created.version}",
            "mlflow": {"model_version": str(created.version), "run_id": run_id, "model_id": model_id},
        }
        return Registered(Build(model, build, folder, all_files), outputs)

    def _keep(self, model: str, build: str, files: Mapping[str, bytes]) -> Path:
        """The build's files in the download cache (what is logged is exactly this folder)."""
        staging = self._staging(model)
        for name, content in files.items():
            (staging / name).write_bytes(content)
        return self._settle(staging, model, build)

    def _log_run(
        self, client: Any, model: str, build: str, folder: Path, run: TrainingRun, tags: Mapping[str, str]
    ) -> tuple[str, str]:
        """The training run (params, metrics, tags) and its logged model with the build as artifacts."""
        from mlflow.entities import LoggedModelStatus, Metric, Param

        name = experiment_name(model)
        experiment = self._call(f"read experiment {name}", lambda: client.get_experiment_by_name(name))
        experiment_id = (
            experiment.experiment_id
            if experiment is not None
            else self._call(f"create experiment {name}", lambda: client.create_experiment(name))
        )
        created = self._call(
            "start a run",
            lambda: client.create_run(experiment_id, run_name=f"{model} {build}", tags=dict(tags)),
        )
        run_id = created.info.run_id
        try:
            params = [Param(k, _text(v)) for k, v in _params(run).items()]
            metrics = [Metric(k, float(v), 0, 0) for k, v in sorted(run.metrics.items())]
            self._call("log the run", lambda: client.log_batch(run_id, metrics=metrics, params=params))
            logged = self._call(
                "log the model",
                lambda: client.create_logged_model(
                    experiment_id, name=model, source_run_id=run_id, tags=dict(tags)
                ),
            )
            self._call(
                "upload the build", lambda: client.log_model_artifacts(logged.model_id, str(folder))
            )
            self._call(
                "finish the model",
                lambda: client.finalize_logged_model(logged.model_id, LoggedModelStatus.READY),
            )
            self._call("finish the run", lambda: client.set_terminated(run_id, "FINISHED"))
        except BaseException:
            with quiet(), suppress(Exception):  # the server is gone: the run stays open
                client.set_terminated(run_id, "FAILED")
            raise
        return run_id, str(logged.model_id)

    # -- aliases -------------------------------------------------------------------------

    def alias_location(self, model: str) -> str:
        return f"MLflow registered model {model} at {shown(self._uri or os.environ.get(ENV, ''))}"

    def get_alias(self, model: str, target: str) -> str | None:
        client = self._client()
        version = self._call(
            f"read the {target} alias of {model}", lambda: by_alias(client, model, target)
        )
        if version is None:
            return None
        build = version.tags.get(BUILD_TAG)
        if not is_build_name(build):
            raise EngineError(
                f"the {target} alias of {self.alias_location(model)} names version "
                f"{version.version}, which is not a build modelspec registered (no {BUILD_TAG} "
                "tag); set the alias back, or apply the deployment again"
            )
        return str(build)

    def alias_history(self, model: str, target: str) -> list[str]:
        client = self._client()
        found = self._call(f"read {model}", lambda: registered(client, model))
        raw = found.tags.get(HISTORY_TAG + target) if found is not None else None
        try:
            value = jsonio.loads(raw.encode()) if isinstance(raw, str) else []
        except jsonio.JsonRefused:
            value = []
        return [v for v in value if is_build_name(v)] if isinstance(value, list) else []

    def _point(self, model: str, target: str, build: str, history: list[str]) -> None:
        client = self._client()
        version = self._version_of(model, build)
        kept = jsonio.dumps(history[-HISTORY_KEPT:])
        self._call(
            f"record the {target} alias history of {model}",
            lambda: client.set_registered_model_tag(model, HISTORY_TAG + target, kept),
        )
        self._call(
            f"set the {target} alias of {model}",
            lambda: client.set_registered_model_alias(model, target, str(version.version)),
        )

    def set_alias(self, model: str, target: str, build: str) -> str | None:
        before = self.get_alias(model, target)
        if before != build:
            self._point(model, target, build, [*self.alias_history(model, target), build])
        return before

    def rollback_alias(self, model: str, target: str) -> tuple[str, str]:
        current = self.get_alias(model, target)
        history = self.alias_history(model, target)
        while history and history[-1] == current:
            history.pop()
        if current is None or not history:
            raise EngineError(f"the {target} alias of {model} has no earlier build to roll back to")
        previous = history[-1]
        self._point(model, target, previous, history)  # the rolled-back build leaves the history
        return current, previous

    # -- loading -------------------------------------------------------------------------

    def fetch_build(self, model: str, build: str) -> Path:
        """A fresh download of the version's artifacts, the build folder as registered (never
        a cached copy: the folder is replaced), which the caller verifies against state
        before reading anything."""
        import mlflow.artifacts

        client = self._client()
        version = self._version_of(model, build)
        where = f"download {model} version {version.version}"
        staging = self._staging(model)
        try:
            uri = self._call(
                where, lambda: client.get_model_version_download_uri(model, str(version.version))
            )
            downloaded = self._call(  # the artifact folder itself: `models:/` would add a file
                where,
                lambda: mlflow.artifacts.download_artifacts(
                    artifact_uri=str(uri), dst_path=str(staging), tracking_uri=self._uri
                ),
            )
            final = self._settle(Path(downloaded), model, build)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return final

    def deployed_outputs(self, model: str, build: str) -> Mapping[str, Any]:
        """The version's artifact folder relative to registry.uri (what storageUri names)."""
        client = self._client()
        version = self._version_of(model, build)
        uri = self._call(
            f"locate {model} version {version.version}",
            lambda: client.get_model_version_download_uri(model, str(version.version)),
        )
        return {
            "mlflow_model_version": str(version.version),
            "model_storage_path": storage_path(str(uri), self.storage_root),
        }

    def _staging(self, model: str) -> Path:
        directory = self.cache / model
        directory.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".incoming-", dir=directory))

    def _settle(self, staging: Path, model: str, build: str) -> Path:
        final = self.cache / model / build
        shutil.rmtree(final, ignore_errors=True)
        os.rename(staging, final)
        return final


def storage_path(artifact_uri: str, storage_root: str) -> str:
    """Where a version's artifacts are inside the artifact store registry.uri names.

    A proxied store (`mlflow-artifacts:/<path>`, the server's --artifacts-destination)
    gives <path>; a direct one (--default-artifact-root s3://...) must lie under registry.uri."""
    if artifact_uri.startswith("mlflow-artifacts:"):
        return urlsplit(artifact_uri).path.strip("/")
    root = storage_root.rstrip("/") + "/"
    if artifact_uri.startswith(root):
        return artifact_uri[len(root):].strip("/")
    raise EngineError(
        f"the MLflow artifacts of this build are at {shown(artifact_uri)}, which is not under "
        f"registry.uri ({storage_root}), so no manifest can name them: set registry.uri in "
        "modelspec.yaml to the artifact root the MLflow server stores artifacts in"
    )


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else jsonio.dumps(value, sort_keys=True)
    return text if len(text) <= 6000 else text[:5997] + "..."


def _params(run: TrainingRun) -> dict[str, Any]:
    params: dict[str, Any] = {"estimator": run.estimator}
    params.update({f"estimator.{k}": v for k, v in sorted(run.params.items())})
    params.update({f"best.{k}": v for k, v in sorted(run.best_params.items())})
    return params


