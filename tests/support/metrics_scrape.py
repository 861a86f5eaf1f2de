"""Start the real model servers on 127.0.0.1, send them requests and read their Prometheus exposition."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

import runtimes

MODEL_NAME = "churn-prod"


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


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
    model = {
        "name": MODEL_NAME,
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": "./model.joblib"},
    }
    (workdir / "model-settings.json").write_text(json.dumps(model))
    command, env, port = runtimes.mlserver(workdir, MODEL_NAME)
    base = f"http://127.0.0.1:{port}"
    with runtimes.running(command, f"{base}/v2/models/{MODEL_NAME}/ready", cwd=workdir, env=env):
        yield base, f"http://127.0.0.1:{env['MLSERVER_METRICS_PORT']}/metrics"


@contextmanager
def kserve_sklearnserver(python: str, workdir: Path) -> Iterator[str]:
    """KServe's sklearn server (run by `python`, with kserve) serving MODEL_NAME: its base URL."""
    model_dir = workdir / "model"
    model_dir.mkdir()
    train_model(python, model_dir / "model.joblib")
    command, env, port = runtimes.kserve_sklearnserver(model_dir, MODEL_NAME, python=Path(python))
    base = f"http://127.0.0.1:{port}"
    with runtimes.running(command, f"{base}/v1/models/{MODEL_NAME}", cwd=workdir, env=env):
        yield base
