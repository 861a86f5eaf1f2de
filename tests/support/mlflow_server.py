"""A real `mlflow server` for tests: SQLite backend store, artifacts proxied into a local folder, on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MlflowServer", "free_port", "running_mlflow_server"]

_READY_SECONDS = 120


@dataclass(frozen=True)
class MlflowServer:
    """A running server: its URI, the folder its artifacts land in, its database and its log."""

    uri: str
    artifacts: Path
    database: Path
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_mlflow_server(directory: Path) -> Iterator[MlflowServer]:
    """`mlflow server` with a model registry in SQLite and proxied artifacts under directory;
    waits for /health, and stops the server (its whole process group) afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = MlflowServer(
        uri=f"http://127.0.0.1:{port}",
        artifacts=directory / "artifacts",
        database=directory / "mlflow.db",
        log=directory / "server.log",
    )
    command = [
        str(Path(sys.executable).with_name("mlflow")),
        "server",
        "--backend-store-uri", f"sqlite:///{server.database}",
        "--artifacts-destination", str(server.artifacts),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", "1",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    with open(server.log, "wb") as log:
        process = subprocess.Popen(
            command, cwd=directory, stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True,
        )
    try:
        _wait_ready(server, process)
        yield server
    finally:
        _stop(process)


def _wait_ready(server: MlflowServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mlflow server exited: {server.log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{server.uri}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"mlflow server not ready in {_READY_SECONDS} s: {server.log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # the server and its uvicorn/huey workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
