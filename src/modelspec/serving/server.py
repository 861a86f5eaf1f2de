"""The model server behind `modelspec serve`: one verified build over the KServe V1 HTTP protocol.

Endpoints: `POST /v1/models/<model>:predict`, `GET /v1/models/<model>`,
`GET /healthz` (liveness), `GET /readyz` (readiness; 503 while draining) and
`GET /metrics` (Prometheus text format, serving/metrics.py). Requests are
read within serving/limits.py's limits, one a connection, and bodies go
through serving/protocol.py; both modules say what any other runtime must keep.
"""

from __future__ import annotations

import io
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from modelspec.serving.connections import Connections
from modelspec.serving.limits import (
    ClientGone,
    Headers,
    Limits,
    RequestReader,
    body_length,
    has_body,
    linger,
    read_body,
    read_headers,
    read_request_line,
)
from modelspec.serving.metrics import BUCKETS, Metrics
from modelspec.serving.model import (
    ServedModel,
    load_served_model,
    resolve_build_dir,
    served_model,
)
from modelspec.serving.protocol import ApiError, decode, encode, error_body, predict

__all__ = [
    "BUCKETS",
    "MAX_BODY_BYTES",
    "ApiError",
    "Limits",
    "Metrics",
    "ModelServer",
    "ServedModel",
    "load_served_model",
    "make_server",
    "predict",
    "resolve_build_dir",
    "serve_until_signal",
    "served_model",
]

MAX_BODY_BYTES = Limits().max_body_bytes
_PREDICT = re.compile(r"/v1/models/(?P<model>[^/:]+):predict")  # fullmatch
_METADATA = re.compile(r"/v1/models/(?P<model>[^/:]+)")
_METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ModelServer(ThreadingHTTPServer):
    """A threading HTTP server holding the model. On close, requests still being read are cut
    at once and those being answered finish within `limits.grace`."""

    daemon_threads = True  # a thread still busy after the grace period does not hold the exit
    block_on_close = False  # server_close() waits for the answers itself, within the grace
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        model: ServedModel,
        metrics: Metrics,
        log: TextIO | None,
        limits: Limits | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.connections = Connections(self.limits.max_connections)
        self.model = model
        self.metrics = metrics
        self.log = log
        self.ready = True
        super().__init__(address, _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def drain(self) -> None:
        """Stop accepting requests (readiness goes false first); callable from any thread."""
        self.ready = False
        self.shutdown()

    def server_close(self) -> None:
        """Close the listening socket, then every connection: those whose request is still
        being read at once, those being answered when they finish or the grace period ends."""
        super().server_close()
        cut = self.connections.close_all(self.limits.grace)
        if cut:
            self.write_log(
                f"{cut} answer(s) still running after {self.limits.grace:g} s: cut off\n"
            )

    def process_request(self, request: Any, client_address: Any) -> None:
        if self.connections.open(request):
            super().process_request(request, client_address)
            return
        if self.ready:  # at the limit (not shutting down): say so rather than hang up
            message = f"the server has {self.limits.max_connections} open connections: retry later"
            body = encode(error_body(message))
            head = (
                "HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nRetry-After: 1\r\n\r\n"
            )
            try:
                request.setblocking(False)  # a few hundred bytes fit a fresh socket's buffer
                request.send(head.encode("ascii") + body)
            except OSError:
                pass
        self.shutdown_request(request)

    def shutdown_request(self, request: Any) -> None:
        self.connections.closed(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a bug answering one client: one line in the log, not a traceback on stderr
        kind, exc = sys.exc_info()[:2]
        self.write_log(f"{client_address[0]} error: {kind.__name__ if kind else '?'}: {exc}\n")

    def write_log(self, line: str) -> None:
        if self.log is not None:
            self.log.write(line)
            self.log.flush()


def make_server(
    model: ServedModel,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    deployment: str | None = None,
    log: TextIO | None = sys.stderr,
    limits: Limits | None = None,
) -> ModelServer:
    """A bound server (port 0 picks a free one); log=None is quiet."""
    return ModelServer((host, port), model, Metrics(deployment), log, limits)


def serve_until_signal(server: ModelServer, on_stop: Callable[[str], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT, then stop accepting, cut the requests still being read,
    let those being answered finish (within the server's grace period) and close."""

    def stop(signum: int, _frame: Any) -> None:
        if on_stop is not None:
            on_stop(signal.Signals(signum).name)
        # shutdown() waits for serve_forever(), which this handler interrupted: use a thread
        threading.Thread(target=server.drain, daemon=True).start()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.serve_forever(poll_interval=0.1)  # how soon the loop sees drain()
    finally:
        server.server_close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Handler(BaseHTTPRequestHandler):
    """One request a connection (HTTP/1.0): read within the limits, routed, answered, closed."""

    server: ModelServer
    server_version = "modelspec"

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # replaced by a reader that keeps to the limits
        self.rfile = io.BufferedReader(RequestReader(self.connection, self.server.limits))
        self.command = ""
        self.path = ""
        self.request_version = "HTTP/1.0"
        self.requestline = "-"
        self.fields: Headers = {}
        self.complete = False  # the whole request has been read (nothing left to drain)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _log

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()

    def handle_one_request(self) -> None:
        start = time.perf_counter()
        try:
            status, payload = self._read_and_route()
        except ClientGone:
            self.complete = True  # nothing to drain: the connection is closed
            if self.command == "POST":
                self.server.metrics.abandoned()
            return
        except ApiError as exc:
            status, payload = exc.status, error_body(exc.message)
            if status == 408:
                self.complete = True  # a slow client is not waited for again
        except Exception as exc:  # the model failed on valid input: a server error, not a crash
            status, payload = 500, error_body(f"prediction failed: {type(exc).__name__}: {exc}")
        status, body, kind = self._encode(status, payload)
        elapsed = time.perf_counter() - start
        if self.command == "POST":  # counted before the reply, so a client that has it sees it
            self.server.metrics.observe(status, elapsed)
        self._send(status, body, kind)
        self._log(status, elapsed)

    def finish(self) -> None:
        super().finish()
        if not self.complete:  # a refused request's unread bytes would reset the answer
            linger(self.connection, self.server.limits.linger)

    def _read_and_route(self) -> tuple[int, Any]:
        limits = self.server.limits
        line = read_request_line(self.rfile, limits)
        self.command, self.path, self.request_version = line.method, line.target, line.version
        self.requestline = f"{line.method} {line.target} {line.version}"
        if self.command == "POST":
            self.server.metrics.started()
        self.fields = read_headers(self.rfile, limits)
        if self.command == "GET":
            self.complete = not has_body(self.fields)
            self._answering()
            return self._get()
        if self.command == "POST":
            return self._post()
        raise ApiError(501, f"method {self.command} is not supported: use GET or POST")

    def _answering(self) -> None:
        if not self.server.connections.answering(self.connection):
            raise ClientGone()  # the server is shutting down and has closed this connection

    def _get(self) -> tuple[int, Any]:
        path = self.path.split("?", 1)[0]
        model = self.server.model
        if path == "/healthz":
            return 200, {"status": "alive"}
        if path == "/readyz":
            if not self.server.ready:
                return 503, {"status": "draining"}
            return 200, {"status": "ready", "model": model.name, "build": model.build}
        if path == "/metrics":
            return 200, self.server.metrics.render()
        match = _METADATA.fullmatch(path)
        if match and match["model"] == model.name:
            return 200, {
                "name": model.name,
                "build": model.build,
                "ready": self.server.ready,
                "signature": model.signature,
            }
        raise ApiError(404, f"no such resource: {path}")

    def _post(self) -> tuple[int, Any]:
        path = self.path.split("?", 1)[0]
        model = self.server.model
        match = _PREDICT.fullmatch(path)
        if not match or match["model"] != model.name:
            raise ApiError(
                404, f"no such model endpoint: {path} (POST /v1/models/{model.name}:predict)"
            )
        body = read_body(self.rfile, body_length(self.fields, self.server.limits))
        self.complete = True
        self._answering()
        return 200, predict(model, decode(model, body))

    def _encode(self, status: int, payload: Any) -> tuple[int, bytes, str]:
        if isinstance(payload, str):
            return status, payload.encode("utf-8"), _METRICS_TYPE
        try:
            return status, encode(payload), "application/json"
        except (TypeError, ValueError) as exc:  # a model output JSON cannot carry
            message = f"prediction failed: the answer is not JSON: {exc}"
            return 500, encode(error_body(message)), "application/json"

    def _send(self, status: int, body: bytes, kind: str) -> None:
        try:
            self.connection.settimeout(self.server.limits.write_timeout)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client went away or stopped reading; nothing to answer

    def _log(self, status: int, seconds: float) -> None:
        request = f"{self.command} {self.path}" if self.command else "-"
        address = self.client_address[0]
        self.server.write_log(f'{address} "{request}" {status} {seconds * 1000:.1f}ms\n')
