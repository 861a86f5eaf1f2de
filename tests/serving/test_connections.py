"""Shutdown and the connection limit: requests being read are cut at once, answers get a grace period."""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from modelspec.serving.connections import Connections
from modelspec.serving.server import Limits, ServedModel, make_server, serve_until_signal

if TYPE_CHECKING:  # tests/serving/conftest.py (fixtures, not importable under importlib mode)
    from conftest import Client

PREDICT = "/v1/models/slow:predict"


class _Slow:
    """An estimator that takes `x` seconds to answer x."""

    def predict(self, x: Any) -> Any:
        time.sleep(float(x["x"].max()))
        return np.asarray(x["x"], dtype=float)


SLOW = ServedModel(
    name="slow",
    build="1.0.0+1",
    estimator=_Slow(),
    signature={"inputs": [{"name": "x", "kind": "numeric"}]},
    features=("x",),
    numeric=("x",),
)


def test_close_all_cuts_reads_at_once_and_waits_for_answers_within_the_grace() -> None:
    connections = Connections(limit=2)
    reading, answering, third = socket.socketpair(), socket.socketpair(), socket.socketpair()
    try:
        assert connections.open(reading[0]) and connections.open(answering[0])
        assert not connections.open(third[0])  # at the limit
        assert connections.answering(answering[0])
        threading.Timer(0.3, connections.closed, [answering[0]]).start()
        start = time.monotonic()
        assert connections.close_all(grace=5) == 0  # the answer finished within the grace
        assert 0.25 < time.monotonic() - start < 4
        assert reading[1].recv(1) == b""  # the request being read was cut at once
        assert not connections.answering(reading[0])  # nobody left to answer
        assert not connections.open(third[0])  # shutting down
    finally:
        for pair in (reading, answering, third):
            for sock in pair:
                sock.close()


def test_close_all_cuts_an_answer_that_outlasts_the_grace() -> None:
    connections = Connections(limit=2)
    mine, theirs = socket.socketpair()
    with mine, theirs:
        connections.open(mine)
        connections.answering(mine)
        start = time.monotonic()
        assert connections.close_all(grace=0.3) == 1
        assert 0.25 < time.monotonic() - start < 4
        assert theirs.recv(1) == b""


def test_clients_over_the_connection_limit_get_a_503(
    serve: Callable[..., Client],
) -> None:
    client = serve(SLOW, limits=Limits(max_connections=2, read_timeout=5))
    held = [socket.create_connection(("127.0.0.1", client.server.port)) for _ in range(2)]
    try:
        deadline = time.monotonic() + 5
        while client.server.connections.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        answer, _ = client.exchange(b"GET /healthz HTTP/1.1\r\n\r\n")
        assert answer.startswith(b"HTTP/1.0 503 ")
        assert b'{"error": "the server has 2 open connections: retry later"}' in answer
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while client.server.connections.count() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client.request("GET", "/healthz") == (200, {"status": "alive"})


def _trickle(port: int, stop: threading.Event) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)

    def send() -> None:
        try:
            for byte in f"POST {PREDICT} HTTP/1.1\r\nHost: x\r\n".encode():
                if stop.wait(0.2):
                    return
                sock.send(bytes([byte]))
        except OSError:
            pass  # cut by the server

    threading.Thread(target=send, daemon=True).start()
    return sock


@pytest.mark.parametrize(("seconds", "status"), [(0.6, 200), (5.0, None)])
def test_sigterm_cuts_a_trickling_client_and_waits_for_answers_within_the_grace(
    connect: Callable[..., Client], seconds: float, status: int | None
) -> None:
    from modelspec.learn.train import feature_frame  # noqa: F401  (its pandas import is not timed)

    log = io.StringIO()
    limits = Limits(read_timeout=5, request_timeout=30, grace=1.5)
    server = make_server(SLOW, "127.0.0.1", 0, log=log, limits=limits)
    stop = threading.Event()
    trickler = _trickle(server.port, stop)
    answers: list[Any] = []
    times: dict[str, float] = {}

    def slow_request() -> None:
        try:
            answers.append(connect(server).request("POST", PREDICT, {"instances": [[seconds]]}))
        except OSError as exc:
            answers.append(exc)

    def terminate() -> None:
        times["signal"] = time.monotonic()
        os.kill(os.getpid(), signal.SIGTERM)

    requester = threading.Thread(target=slow_request)
    threading.Timer(0.5, requester.start).start()
    threading.Timer(0.9, terminate).start()  # while the trickler sends and the answer runs
    watchdog = threading.Timer(20, server.drain)  # never hang the suite
    watchdog.start()
    stopped: list[str] = []
    try:
        serve_until_signal(server, stopped.append)
        returned = time.monotonic() - times["signal"]
    finally:
        watchdog.cancel()
        stop.set()
    requester.join(timeout=10)
    with trickler:
        trickler.settimeout(1)
        assert trickler.recv(100) == b""  # cut without an answer
    assert stopped == ["SIGTERM"]
    if status == 200:  # finished within the grace period
        assert answers == [(200, {"predictions": [seconds]})]
        assert returned < 1.5
        assert "cut off" not in log.getvalue()
    else:  # outlasted it: cut, and the server returned after the grace period
        assert len(answers) == 1 and not isinstance(answers[0], tuple)
        assert 1.4 < returned < 5
        assert "1 answer(s) still running after 1.5 s: cut off" in log.getvalue()
