"""Fixtures of the serving tests: both example models built once, a running server and its client."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fakes import passing_validate_data
from recorded_state import record_in_state

from modelspec.project import Project
from modelspec.serving.server import (
    Limits,
    ModelServer,
    ServedModel,
    load_served_model,
    make_server,
)

CLASSIFIER = "biopsy-malignancy-classifier"
REGRESSOR = "diabetes-progression-regressor"


@dataclass(frozen=True)
class Trained:
    root: Path
    project: Project
    classifier: Path  # build directories
    regressor: Path


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """The example project with both models built once by the real pipeline."""
    import modelspec.engine.data_validation as data_validation
    from modelspec.compile import load_graph
    from modelspec.engine.local import run_pipeline
    from modelspec.examples.scaffold import init_project
    from modelspec.project import load_project

    root = tmp_path_factory.mktemp("serve") / "example"
    init_project(root)
    project, _ = load_project(root)
    assert project is not None
    graph, _ = load_graph(project)
    builds = {}
    with pytest.MonkeyPatch.context() as patch:  # GX validation is tested on its own
        patch.setattr(data_validation, "validate_data", passing_validate_data)
        for model in (CLASSIFIER, REGRESSOR):
            outputs = run_pipeline(project, graph, model)
            record_in_state(root, {f"model.{model}": outputs})  # as apply does
            builds[model] = root / outputs["registry_path"]
    return Trained(root, project, builds[CLASSIFIER], builds[REGRESSOR])


@dataclass
class Client:
    server: ModelServer

    def request(
        self, method: str, path: str, body: Any = None, raw: bytes | None = None
    ) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            data = raw if raw is not None else None if body is None else json.dumps(body).encode()
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            text = response.read().decode()
            kind = response.getheader("Content-Type", "")
            return response.status, json.loads(text) if "json" in kind else text
        finally:
            conn.close()

    def exchange(self, data: bytes, timeout: float = 10) -> tuple[bytes, float]:
        """Send raw bytes, read until the server closes: what it answered and after how long."""
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=timeout) as sock:
            sock.sendall(data)
            return read_to_end(sock), time.monotonic() - start


def read_to_end(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def running(
    model: ServedModel, deployment: str | None = None, limits: Limits | None = None
) -> Iterator[Client]:
    """A server on a free loopback port, answering in a thread, drained and closed afterwards."""
    server = make_server(model, "127.0.0.1", 0, deployment=deployment, log=None, limits=limits)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Client(server)
    finally:
        server.drain()
        server.server_close()
        thread.join(timeout=5)
    assert not thread.is_alive()


@pytest.fixture(scope="session")
def regressor_model(trained: Trained) -> ServedModel:
    return load_served_model(trained.regressor)


@pytest.fixture
def regressor(regressor_model: ServedModel) -> Iterator[Client]:
    yield from running(regressor_model, deployment="diabetes-prod")


@pytest.fixture
def classifier(trained: Trained) -> Iterator[Client]:
    yield from running(load_served_model(trained.classifier))


@pytest.fixture
def connect() -> type[Client]:
    """The client class, for tests that start a server of their own."""
    return Client


@pytest.fixture
def serve() -> Iterator[Callable[..., Client]]:
    """Start servers of a model: serve(model, deployment=None, limits=None) -> Client."""
    with contextlib.ExitStack() as stack:

        def start(
            model: ServedModel, deployment: str | None = None, limits: Limits | None = None
        ) -> Client:
            server = running(model, deployment, limits)
            client = next(server)
            stack.callback(next, server, None)
            return client

        yield start
