"""Real inference runtimes for tests: start a server on 127.0.0.1, wait until ready, send requests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SKLEARNSERVER = REPO / "tests" / "vendor" / "kserve_sklearnserver"  # KServe's own server code

# KServe's REST server binds 0.0.0.0 (hard-coded in kserve.protocol.rest.server): keep it on
# loopback by wrapping uvicorn's Config; gRPC is turned off by the command line.
KSERVE_LAUNCHER = """
import runpy, sys, uvicorn
_init = uvicorn.Config.__init__
def _loopback(self, *args, **kwargs):
    kwargs["host"] = "127.0.0.1"
    _init(self, *args, **kwargs)
uvicorn.Config.__init__ = _loopback
sys.argv = ["sklearnserver", *sys.argv[1:]]
runpy.run_module("sklearnserver", run_name="__main__")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def kserve_python() -> Path:
    """The venv KServe's sklearn server runs in (`make runtimes`); the test is skipped without it."""
    configured = os.environ.get("MODELSPEC_KSERVE_PYTHON")
    python = Path(configured) if configured else REPO / ".venv-kserve" / "bin" / "python"
    if not python.exists():
        pytest.skip(f"no KServe runtime venv at {python}: run `make runtimes`")
    return python


def http(method: str, url: str, body: Any = None, timeout: float = 10) -> tuple[int, Any]:
    """(status, decoded JSON or text) of one request; HTTP errors are returned, not raised."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


@contextmanager
def running(
    command: Sequence[str],
    ready_url: str,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process, stopped (and reaped) on exit; fails with its log if it never gets ready."""
    log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in finally)
    process = subprocess.Popen(
        list(command), cwd=cwd, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"{command[0]} exited {process.returncode}:\n{log.read().decode()[-3000:]}")
            try:
                status, _ = http("GET", ready_url, timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"{command[0]} not ready after {timeout} s:\n{log.read().decode()[-3000:]}")
            time.sleep(0.25)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def modelspec_serve(model_dir: Path, name: str, digest: str) -> tuple[list[str], dict[str, str], int]:
    """Command, env and HTTP port to run `modelspec serve` as the Kubernetes target's pod does:
    the build folder and the manifest digest from the rendered manifest, no project."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "modelspec"), "serve", f"--build-dir={model_dir}",
        f"--name={name}", f"--port={port}", f"--metrics-port={free_port()}", "--quiet",
    ]
    return command, {"MODELSPEC_BUILD_DIGEST": digest}, port


def kserve_sklearnserver(
    model_dir: Path, name: str, digest: str = "", python: Path | None = None
) -> tuple[list[str], dict[str, str], int]:
    """Command, env and HTTP port to run KServe's sklearn server on a model folder, on 127.0.0.1."""
    port = free_port()
    command = [
        str(python or kserve_python()), "-c", KSERVE_LAUNCHER, f"--model_dir={model_dir}",
        f"--model_name={name}", f"--http_port={port}", "--enable_grpc=false",
    ]
    package = os.environ.get("MODELSPEC_KSERVE_SKLEARNSERVER_PATH", str(SKLEARNSERVER))
    return command, {"PYTHONPATH": package}, port


def mlserver(model_dir: Path, name: str, digest: str = "") -> tuple[list[str], dict[str, str], int]:
    """Command, env and HTTP port to run MLServer on a model folder, as KServe's MLServer runtime does."""
    port = free_port()
    env = {
        "MLSERVER_HOST": "127.0.0.1",
        "MLSERVER_HTTP_PORT": str(port),
        "MLSERVER_GRPC_PORT": str(free_port()),
        "MLSERVER_METRICS_PORT": str(free_port()),
        "MLSERVER_PARALLEL_WORKERS": "0",
        "MLSERVER_MODEL_NAME": name,  # what KServe sets: clients use the InferenceService's name
    }
    return [str(Path(sys.executable).parent / "mlserver"), "start", str(model_dir)], env, port


def mlflow_serve(model_dir: Path, name: str, digest: str = "") -> tuple[list[str], dict[str, str], int]:
    """Command, env and HTTP port of `mlflow models serve` on the folder (its MLmodel), in this
    environment (no conda, no virtualenv: the build's requirements are installed here)."""
    port = free_port()
    bin_dir = Path(sys.executable).parent
    command = [
        str(bin_dir / "mlflow"), "models", "serve", "-m", str(model_dir), "--env-manager", "local",
        "-h", "127.0.0.1", "-p", str(port), "--workers", "1",
    ]
    return command, {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}, port


def mlflow_dataframe_split(features: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """MLflow's scoring-server input, as `serving_input_example.json` has it."""
    return {"dataframe_split": {"columns": list(features), "data": [[row[f] for f in features] for row in rows]}}


def v1_lists(features: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"instances": [[row[f] for f in features] for row in rows]}


def v1_objects(features: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"instances": [{f: row[f] for f in features} for row in rows]}


def v2_tensor(features: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    data = [float(row[f]) for row in rows for f in features]
    return {"inputs": [{"name": "input-0", "shape": [len(rows), len(features)], "datatype": "FP64", "data": data}]}


def v2_per_feature(features: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One input per feature (FP64 numbers, BYTES text), decoded by the pandas codec (`pd`)."""
    inputs = []
    for f in features:
        values = [row[f] for row in rows]
        text = any(isinstance(v, str) for v in values)
        inputs.append(
            {
                "name": f,
                "shape": [len(rows)],
                "datatype": "BYTES" if text else "FP64",
                "data": [str(v) for v in values] if text else [float(v) for v in values],
            }
        )
    return {"parameters": {"content_type": "pd"}, "inputs": inputs}


def v2_per_feature_plain(features: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One input per feature with no content type: what a generic V2 client sends."""
    body = v2_per_feature(features, rows)
    del body["parameters"]
    return body


def v2_predictions(response: Mapping[str, Any]) -> list[Any]:
    [output] = response["outputs"]
    return list(output["data"])
