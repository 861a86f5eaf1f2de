"""Read limits: a bounded request head and body, and no client holds a connection past its deadline."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from modelspec.serving.limits import (
    ClientGone,
    Limits,
    RequestReader,
    body_length,
    read_body,
    read_headers,
    read_request_line,
)
from modelspec.serving.protocol import ApiError
from modelspec.serving.server import ServedModel

if TYPE_CHECKING:  # tests/serving/conftest.py (fixtures, not importable under importlib mode)
    from conftest import Client

LIMITS = Limits()
PREDICT = b"POST /v1/models/stub:predict HTTP/1.1\r\n"


def _refused(call: Any, *args: Any) -> tuple[int, str]:
    with pytest.raises(ApiError) as refused:
        call(*args)
    return refused.value.status, refused.value.message


def _stream(data: bytes) -> io.BufferedReader:
    return io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]


def test_the_request_line_is_bounded_and_well_formed() -> None:
    line = read_request_line(_stream(b"\r\nGET /healthz HTTP/1.1\r\n"), LIMITS)
    assert (line.method, line.target, line.version) == ("GET", "/healthz", "HTTP/1.1")
    too_long = b"GET /" + b"a" * LIMITS.max_request_line + b" HTTP/1.1\r\n"
    assert _refused(read_request_line, _stream(too_long), LIMITS) == (
        414,
        "the request line is over 8,192 bytes",
    )
    for bad in (
        b"GET\r\n",
        b"GET /a b HTTP/1.1\r\n",
        b"get / HTTP/1.1\r\n",
        b"GET /\x1b[2J HTTP/1.1\r\n",
    ):
        assert _refused(read_request_line, _stream(bad), LIMITS)[0] == 400, bad
    assert _refused(read_request_line, _stream(b"GET / HTTP/2.0\r\n"), LIMITS) == (
        505,
        "HTTP/2.0 is not supported: use HTTP/1.1 or HTTP/1.0",
    )
    with pytest.raises(ClientGone):  # closed before the line ended
        read_request_line(_stream(b"GET / HT"), LIMITS)


def test_headers_are_bounded_in_count_and_size() -> None:
    headers = read_headers(_stream(b"Host: a\r\nX-A: 1\r\nx-a:  2 \r\n\r\nbody"), LIMITS)
    assert headers == {"host": ("a",), "x-a": ("1", "2")}
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(LIMITS.max_headers + 1)) + b"\r\n"
    assert _refused(read_headers, _stream(many), LIMITS) == (
        431,
        "the request has more than 100 header lines",
    )
    exactly = b"".join(b"X-%d: 1\r\n" % i for i in range(LIMITS.max_headers)) + b"\r\n"
    assert len(read_headers(_stream(exactly), LIMITS)) == LIMITS.max_headers
    big = b"X-Big: " + b"a" * LIMITS.max_header_bytes + b"\r\n\r\n"
    assert _refused(read_headers, _stream(big), LIMITS) == (
        431,
        "the request headers are over 32,768 bytes",
    )
    for bad in (
        b"no colon\r\n\r\n",
        b"X-A: 1\r\n folded\r\n\r\n",
        b"Bad Name: 1\r\n\r\n",
        b"X: a\rb\r\n\r\n",
    ):
        assert _refused(read_headers, _stream(bad), LIMITS)[0] == 400, bad
    with pytest.raises(ClientGone):
        read_headers(_stream(b"Host: a\r\n"), LIMITS)


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({}, 411, "the request needs a Content-Length header"),
        ({"transfer-encoding": ("chunked",)}, 411, "Transfer-Encoding (chunked) is not accepted"),
        (
            {"transfer-encoding": ("chunked",), "content-length": ("5",)},
            411,
            "send the body with a Content-Length header",
        ),
        ({"content-length": ("5", "6")}, 400, "conflicting Content-Length values"),
        (
            {"content-length": ("-1",)},
            400,
            "the Content-Length header '-1' is not a number of bytes",
        ),
        ({"content-length": ("\uff11",)}, 400, "is not a number of bytes"),  # a non-ASCII digit
        ({"content-length": ("9" * 400,)}, 400, "is not a number of bytes"),
        ({"content-length": (str(LIMITS.max_body_bytes + 1),)}, 413, "the limit is 10485760"),
    ],
)
def test_a_body_needs_one_bounded_content_length(
    headers: dict[str, tuple[str, ...]], status: int, message: str
) -> None:
    got, text = _refused(body_length, headers, LIMITS)
    assert got == status and message in text


def test_a_body_is_read_to_its_length() -> None:
    assert body_length({"content-length": ("4", "4")}, LIMITS) == 4
    assert read_body(_stream(b"abcdef"), 4) == b"abcd"
    assert _refused(read_body, _stream(b"ab"), 4) == (400, "the body ended after 2 of its 4 bytes")


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server, client = socket.socketpair()
    with server, client:
        yield server, client


def test_a_silent_client_times_out_after_the_read_timeout(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    reader = io.BufferedReader(RequestReader(pair[0], Limits(read_timeout=0.3)))
    start = time.monotonic()
    status, message = _refused(read_request_line, reader, LIMITS)
    assert (status, message) == (408, "the client sent nothing for 0.3 s")
    assert 0.25 < time.monotonic() - start < 4


def test_a_trickling_client_times_out_at_the_request_deadline(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server, client = pair
    limits = Limits(read_timeout=1, request_timeout=1.5)
    reader = io.BufferedReader(RequestReader(server, limits))
    stop = threading.Event()

    def trickle() -> None:  # a byte every 0.1 s: each read is quick, the request never ends
        while not stop.wait(0.1):
            client.send(b"a")

    threading.Thread(target=trickle, daemon=True).start()
    start = time.monotonic()
    try:
        status, message = _refused(read_request_line, reader, limits)
    finally:
        stop.set()
    assert (status, message) == (408, "the request did not arrive within 1.5 s")
    assert 1.4 < time.monotonic() - start < 5


class _Echo:
    def predict(self, x: Any) -> Any:
        return np.asarray(x["x"], dtype=float) * 2


STUB = ServedModel(
    name="stub",
    build="1.0.0+1",
    estimator=_Echo(),
    signature={"inputs": [{"name": "x", "kind": "numeric"}]},
    features=("x",),
    numeric=("x",),
)
QUICK = Limits(read_timeout=1.0, request_timeout=2.0, max_connections=8, grace=1.0)


@pytest.fixture
def stub(serve: Callable[..., Client]) -> Client:
    return serve(STUB, limits=QUICK)


def _predict(client: Client, x: float = 1.5) -> tuple[int, Any]:
    return client.request("POST", "/v1/models/stub:predict", {"instances": [[x]]})


def test_a_trickling_client_is_cut_at_the_deadline_while_others_are_served(stub: Client) -> None:
    assert _predict(stub) == (200, {"predictions": [3.0]})  # pandas is imported: time the rest
    outcome: dict[str, Any] = {}
    begun = time.monotonic()

    def trickle() -> None:  # a byte every 0.25 s: no read waits long, the request never ends
        with socket.create_connection(("127.0.0.1", stub.server.port), timeout=10) as sock:
            try:
                for byte in PREDICT + b"Content-Length: 100\r\n" * 20:
                    sock.send(bytes([byte]))
                    time.sleep(0.25)
            except OSError:
                pass
            outcome["answer"] = _read_all(sock)
        outcome["held"] = time.monotonic() - begun

    thread = threading.Thread(target=trickle)
    thread.start()
    answered = []  # when each concurrent prediction was answered
    while thread.is_alive() and len(answered) < 100:
        assert _predict(stub, 2.0) == (200, {"predictions": [4.0]})
        answered.append(time.monotonic() - begun)
        time.sleep(0.05)
    thread.join(timeout=10)
    assert outcome["answer"].startswith(b"HTTP/1.0 408 ")
    assert json.loads(outcome["answer"].split(b"\r\n\r\n", 1)[1]) == {
        "error": "the request did not arrive within 2 s"
    }
    assert 1.9 < outcome["held"] < 5
    assert len([t for t in answered if t < 1.9]) >= 3, answered  # served while it was held


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except OSError:
        pass
    return b"".join(chunks)


def test_a_silent_connection_is_closed_after_the_read_timeout(stub: Client) -> None:
    answer, seconds = stub.exchange(b"")
    assert answer.startswith(b"HTTP/1.0 408 ") and b"sent nothing for 1 s" in answer
    assert 0.9 < seconds < 4


def test_a_body_slower_than_the_deadline_is_a_408_counted_as_a_prediction(stub: Client) -> None:
    with socket.create_connection(("127.0.0.1", stub.server.port), timeout=10) as sock:
        sock.sendall(PREDICT + b"Content-Length: 20\r\n\r\n{")
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.0 408 ")
    assert 'modelspec_requests_total{code="408"} 1' in stub.request("GET", "/metrics")[1]


def test_refusals_before_the_body_is_read_reach_a_client_still_sending(stub: Client) -> None:
    big = PREDICT + f"Content-Length: {QUICK.max_body_bytes + 1}\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", stub.server.port), timeout=10) as sock:
        sock.sendall(big + b"x" * 200_000)  # the server answers without reading all this
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.0 413 "), answer[:80]
    chunked = PREDICT + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    answer, _ = stub.exchange(chunked)
    assert answer.startswith(b"HTTP/1.0 411 ") and b"chunked" in answer
    answer, _ = stub.exchange(b"GET / HTTP/1.1\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n")
    assert answer.startswith(b"HTTP/1.0 431 ")
    assert _predict(stub) == (200, {"predictions": [3.0]})
