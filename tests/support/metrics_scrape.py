"""Start the real model servers on 127.0.0.1, send them requests and read their Prometheus exposition."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
SKLEARNSERVER = ROOT / "tests" / "vendor" / "kserve_sklearnserver"
MODEL_NAME = "churn-prod"

# KServe's REST server binds 0.0.0.0 (hard-coded in kserve.protocol.rest.server): keep it on
# loopback by wrapping uvicorn's Config, and turn gRPC off.
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


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def parse_exposition(text: str) -> list[Sample]:
    """Every sample of a text exposition, read by prometheus_client's own parser."""
    return [
        Sample(sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def request(url: str, body: object | None = None, timeout: float = 10) -> int:
    """The HTTP status of a GET (body None) or a JSON POST."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            response.read()
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def scrape(url: str) -> list[Sample]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return parse_exposition(response.read().decode())


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if request(url, timeout=2) == 200:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not ready after {seconds}s:\n{log.read_text()[-3000:]}")


@contextmanager
def _running(command: list[str], cwd: Path, env: dict[str, str], ready: str) -> Iterator[None]:
    log = cwd / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_ready(ready, process, log, seconds=120)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def train_model(python: str, path: Path) -> None:
    """A small classifier from scikit-learn's bundled iris data, joblib'd by `python`."""
    code = (
        "import joblib, sys\n"
        "from sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "X, y = load_iris(return_X_y=True)\n"
        "joblib.dump(LogisticRegression(max_iter=500).fit(X, y), sys.argv[1])\n"
    )
    subprocess.run([python, "-c", code, str(path)], check=True, timeout=120)


@contextmanager
def mlserver(workdir: Path) -> Iterator[tuple[str, str]]:
    """MLServer serving a sklearn model as MODEL_NAME: (REST base URL, metrics URL)."""
    train_model(sys.executable, workdir / "model.joblib")
    http, grpc, metrics = free_port(), free_port(), free_port()
    settings = {
        "host": "127.0.0.1",
        "http_port": http,
        "grpc_port": grpc,
        "metrics_port": metrics,
        "parallel_workers": 0,
    }
    model = {
        "name": MODEL_NAME,
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": "./model.joblib"},
    }
    (workdir / "settings.json").write_text(json.dumps(settings))
    (workdir / "model-settings.json").write_text(json.dumps(model))
    command = [str(Path(sys.executable).parent / "mlserver"), "start", str(workdir)]
    base = f"http://127.0.0.1:{http}"
    with _running(command, workdir, dict(os.environ), f"{base}/v2/models/{MODEL_NAME}/ready"):
        yield base, f"http://127.0.0.1:{metrics}/metrics"


@contextmanager
def kserve_sklearnserver(python: str, workdir: Path) -> Iterator[str]:
    """KServe's sklearn server (run by `python`, with kserve) serving MODEL_NAME: its base URL."""
    package = Path(os.environ.get("MODELSPEC_KSERVE_SKLEARNSERVER_PATH", SKLEARNSERVER))
    model_dir = workdir / "model"
    model_dir.mkdir()
    train_model(python, model_dir / "model.joblib")
    port = free_port()
    command = [
        python,
        "-c",
        KSERVE_LAUNCHER,
        f"--model_dir={model_dir}",
        f"--model_name={MODEL_NAME}",
        f"--http_port={port}",
        "--enable_grpc=false",
    ]
    env = {**os.environ, "PYTHONPATH": str(package)}
    base = f"http://127.0.0.1:{port}"
    with _running(command, workdir, env, f"{base}/v1/models/{MODEL_NAME}"):
        yield base
