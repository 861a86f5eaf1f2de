"""`modelspec serve`: choosing the build, refusing a bad one with exit 1, and a real process on loopback."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes import passing_validate_data
from recorded_state import record_in_state

from modelspec.cli import cli

MODEL = "biopsy-malignancy-classifier"
DEPLOYMENT = "biopsy-classifier-prod"



@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project with the classifier built once (GX validation is tested on its own)."""
    import modelspec.engine.data_validation as data_validation
    from modelspec.compile import load_graph
    from modelspec.engine.local import run_pipeline
    from modelspec.examples.scaffold import init_project
    from modelspec.project import load_project

    root = tmp_path_factory.mktemp("serve-cli") / "example"
    init_project(root)
    loaded, _ = load_project(root)
    assert loaded is not None
    graph, _ = load_graph(loaded)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data_validation, "validate_data", passing_validate_data)
        outputs = run_pipeline(loaded, graph, MODEL)
    record_in_state(root, {f"model.{MODEL}": outputs})  # the build's digests, as apply records them
    return root


def _build(project: Path) -> Path:
    return project / ".modelspec" / "registry" / MODEL / "1.0.0+1"


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), "serve", *args])


def test_serve_needs_a_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODELSPEC_BUILD_DIR", raising=False)
    result = run(project)
    assert result.exit_code == 1
    assert "give --deployment NAME or --build-dir DIR" in result.output
    result = run(project, "--deployment", DEPLOYMENT, "--build-dir", str(_build(project)))
    assert result.exit_code == 1 and "not both" in result.output


def test_an_undeployed_or_unknown_deployment_is_an_error(project: Path) -> None:
    result = run(project, "--deployment", DEPLOYMENT)
    assert result.exit_code == 1
    assert "has no deployed build yet" in result.output
    result = run(project, "--deployment", "nope")
    assert result.exit_code == 1 and "no Deployment named 'nope'" in result.output


def test_a_tampered_build_exits_1_without_a_traceback(project: Path, tmp_path: Path) -> None:
    import shutil

    build = tmp_path / MODEL / "1.0.0+1"
    shutil.copytree(_build(project), build)
    (build / "metrics.json").write_text("{}\n")
    result = run(project, "--build-dir", str(build))
    assert result.exit_code == 1
    assert "metrics.json does not match its manifest" in result.output
    assert "Traceback" not in result.output
    result = run(project, "--build-dir", str(tmp_path / "missing"))
    assert result.exit_code == 1 and "neither a registered build" in result.output


def test_deployment_serves_its_alias_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelspec.registry.local import set_alias
    from modelspec.serving import server as serve

    set_alias(project / ".modelspec" / "registry", MODEL, "prod", "1.0.0+1")
    record_in_state(project, {f"deployment.{DEPLOYMENT}": {"model_build": "1.0.0+1"}})  # as apply does
    seen: dict[str, Any] = {}

    def serve_once(server: serve.ModelServer, on_stop: Any = None) -> None:
        seen["model"] = (server.model.name, server.model.build)
        seen["address"] = server.server_address
        seen["metrics"] = server.metrics.render()
        server.server_close()

    monkeypatch.setattr(serve, "serve_until_signal", serve_once)
    result = run(project, "--deployment", DEPLOYMENT, "--port", "0", "--quiet")
    assert result.exit_code == 0, result.output
    assert seen["model"] == (MODEL, "1.0.0+1")
    assert seen["address"][0] == "127.0.0.1" and seen["address"][1] > 0
    assert f'deployment="{DEPLOYMENT}"' in seen["metrics"]
    assert f"serving {MODEL} 1.0.0+1 on http://127.0.0.1:" in result.output


@pytest.mark.slow
def test_a_real_process_serves_and_stops_on_sigterm(project: Path) -> None:
    env = {**os.environ, "MODELSPEC_BUILD_DIR": str(_build(project)), "MODELSPEC_DEPLOYMENT": "d"}
    process = subprocess.Popen(
        [sys.executable, "-m", "modelspec", "serve", "--port", "0"],
        cwd=project,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    killer = threading.Timer(30, process.kill)  # never hang the suite
    killer.start()
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/v1/models/", banner)
        assert match, banner
        conn = http.client.HTTPConnection("127.0.0.1", int(match[1]), timeout=10)
        conn.request("GET", f"/v1/models/{MODEL}")
        response = conn.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["ready"] is True
        conn.close()
        access = process.stderr.readline()
        assert f'"GET /v1/models/{MODEL}" 200' in access
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "SIGTERM: shutting down" in process.stderr.read()
    finally:
        killer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_sigterm_stops_a_real_process_while_a_client_trickles_bytes(project: Path) -> None:
    env = {**os.environ, "MODELSPEC_BUILD_DIR": str(_build(project))}
    process = subprocess.Popen(
        [sys.executable, "-m", "modelspec", "serve", "--port", "0", "--quiet"],
        cwd=project,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    killer = threading.Timer(60, process.kill)  # never hang the suite
    killer.start()
    stop = threading.Event()
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/v1/models/", banner)
        assert match, banner
        port = int(match[1])
        trickler = socket.create_connection(("127.0.0.1", port), timeout=10)

        def trickle() -> None:  # a byte every 0.5 s of a request that never ends
            try:
                for byte in f"POST /v1/models/{MODEL}:predict HTTP/1.1\r\nHost: x\r\n".encode():
                    trickler.send(bytes([byte]))
                    if stop.wait(0.5):
                        return
            except OSError:
                pass  # cut by the server

        threading.Thread(target=trickle, daemon=True).start()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", f"/v1/models/{MODEL}:predict", body=b'{"instances": [[Infinity]]}')
        response = conn.getresponse()  # others are answered meanwhile, hostile bodies with a 400
        assert response.status == 400
        assert json.loads(response.read()) == {
            "error": "the body is refused: Infinity is not a JSON number"
        }
        conn.close()
        stop.wait(1.5)
        process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - sent < 5  # measured: 0.4-1.6 s, most of it interpreter exit
        assert process.stderr.read() == "SIGTERM: shutting down\n"
        trickler.settimeout(5)
        assert trickler.recv(100) == b""  # cut without an answer
        trickler.close()
    finally:
        stop.set()
        killer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
