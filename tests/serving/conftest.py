"""Fixtures of the serving tests: both example models built once, and `modelspec serve` run as a real process."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fakes import passing_validate_data
from recorded_state import record_in_state

from modelspec.project import Project
from runtimes import free_port

CLASSIFIER = "biopsy-malignancy-classifier"
REGRESSOR = "diabetes-progression-regressor"
DEPLOYMENT = "biopsy-classifier-prod"


@dataclass(frozen=True)
class Trained:
    root: Path
    project: Project
    classifier: Path  # build directories
    regressor: Path
    outputs: dict[str, dict[str, Any]]


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """The example project with both models built once by the real pipeline, the classifier
    deployed to biopsy-classifier-prod (state and alias, as apply leaves them)."""
    import modelspec.engine.data_validation as data_validation
    from modelspec.compile import load_graph
    from modelspec.engine.local import run_pipeline
    from modelspec.examples.scaffold import init_project
    from modelspec.project import load_project
    from modelspec.registry.local import set_alias

    root = tmp_path_factory.mktemp("serve") / "example"
    init_project(root)
    project, _ = load_project(root)
    assert project is not None
    graph, _ = load_graph(project)
    builds, outputs = {}, {}
    with pytest.MonkeyPatch.context() as patch:  # GX validation is tested on its own
        patch.setattr(data_validation, "validate_data", passing_validate_data)
        for model in (CLASSIFIER, REGRESSOR):
            outputs[model] = run_pipeline(project, graph, model)
            record_in_state(root, {f"model.{model}": outputs[model]})  # as apply does
            builds[model] = root / outputs[model]["registry_path"]
    build = outputs[CLASSIFIER]["build"]
    set_alias(project.registry_dir, CLASSIFIER, "prod", build)
    record_in_state(root, {f"deployment.{DEPLOYMENT}": {"model_build": build}})
    return Trained(root, project, builds[CLASSIFIER], builds[REGRESSOR], outputs)


@dataclass
class Server:
    """A `modelspec serve` process on loopback and an HTTP client for it."""

    process: subprocess.Popen[str]
    port: int
    metrics_port: int
    log: Path
    name: str = ""
    lines: list[str] = field(default_factory=list)

    def request(
        self, method: str, path: str, body: Any = None, raw: bytes | None = None, *, metrics: bool = False
    ) -> tuple[int, Any]:
        port = self.metrics_port if metrics else self.port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            data = raw if raw is not None else None if body is None else json.dumps(body).encode()
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            text = response.read().decode()
            kind = response.getheader("Content-Type", "")
            return response.status, json.loads(text) if "json" in kind else text
        finally:
            conn.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(
    cwd: Path,
    args: list[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    wait: bool = True,
    metrics_port: int | None = None,
) -> Server:
    """`modelspec serve ARGS` on free loopback ports; waits until /v2/health/ready answers 200
    (or the process exits) unless wait is False."""
    port, metrics_port = free_port(), metrics_port or free_port()
    handle = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "modelspec", "serve", *args,
         "--port", str(port), "--metrics-port", str(metrics_port)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=handle,
        stderr=subprocess.STDOUT,
        text=True,
    )
    handle.close()
    server = Server(process, port, metrics_port, log)
    if wait:
        wait_ready(server)
    return server


def wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return
        with contextlib.suppress(OSError, http.client.HTTPException):
            if server.request("GET", "/v2/health/ready")[0] == 200:
                return
        time.sleep(0.2)
    server.process.kill()
    server.process.wait()
    pytest.fail(f"modelspec serve did not become ready in {timeout} s:\n{server.output()}")


@contextlib.contextmanager
def running(cwd: Path, args: list[str], log: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    server = start_server(cwd, args, log, env)
    try:
        assert server.process.poll() is None, server.output()
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()


@pytest.fixture(scope="module")
def classifier(trained: Trained, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The deployed classifier, served from the project as `modelspec serve DEPLOYMENT`."""
    log = tmp_path_factory.mktemp("serve-log") / "classifier.log"
    with running(trained.root, [DEPLOYMENT, "--quiet"], log) as server:
        server.name = DEPLOYMENT
        yield server


@pytest.fixture(scope="module")
def regressor(trained: Trained, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The regressor's build, as a pod runs it: MODELSPEC_BUILD_DIR and MODELSPEC_BUILD_DIGEST,
    no project (started outside it), served under MODELSPEC_MODEL_NAME."""
    log = tmp_path_factory.mktemp("serve-log") / "regressor.log"
    digest = trained.outputs[REGRESSOR]["builds"][trained.outputs[REGRESSOR]["build"]]["manifest.json"]
    env = {
        "MODELSPEC_BUILD_DIR": str(trained.regressor),
        "MODELSPEC_BUILD_DIGEST": digest,
        "MODELSPEC_MODEL_NAME": "diabetes-online",
        "MODELSPEC_DEPLOYMENT": "diabetes-online",
    }
    with running(log.parent, ["--quiet"], log, env) as server:
        server.name = "diabetes-online"
        yield server


@pytest.fixture
def start() -> Iterator[Any]:
    """start_server(cwd, args, log, env=None, wait=True, metrics_port=None) -> Server; every
    process started is stopped afterwards."""
    started: list[Server] = []

    def launch(*args: Any, **kwargs: Any) -> Server:
        server = start_server(*args, **kwargs)
        started.append(server)
        return server

    yield launch
    for server in started:
        if server.process.poll() is None:
            server.stop()
