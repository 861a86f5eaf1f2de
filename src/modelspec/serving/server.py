"""The model server behind `modelspec serve`: one verified build over the KServe V1 HTTP protocol.

Endpoints: `POST /v1/models/<model>:predict`, `GET /v1/models/<model>`,
`GET /healthz` (liveness), `GET /readyz` (readiness; 503 while draining) and
`GET /metrics` (Prometheus text format). The metric names are the ones the
rendered PrometheusRule and HorizontalPodAutoscaler read.
"""

from __future__ import annotations

import json
import math
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

from modelspec.compile.address import Address
from modelspec.compile.graph import Graph
from modelspec.compile.views import DeploymentView, Refs
from modelspec.errors import EngineError
from modelspec.generate.kubernetes import CONCURRENCY_METRIC
from modelspec.generate.prometheus import ERRORS_METRIC, LATENCY_METRIC
from modelspec.project import Project

__all__ = [
    "BUCKETS",
    "MAX_BODY_BYTES",
    "ApiError",
    "Metrics",
    "ModelServer",
    "ServedModel",
    "deployment_build_dir",
    "load_served_model",
    "make_server",
    "predict",
    "resolve_build_dir",
    "serve_until_signal",
]

MAX_BODY_BYTES = 10 * 1024 * 1024
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_PREDICT = re.compile(r"^/v1/models/(?P<model>[^/:]+):predict$")
_METADATA = re.compile(r"^/v1/models/(?P<model>[^/:]+)$")


@dataclass(frozen=True)
class ServedModel:
    """A verified, loaded build and the input signature it was trained with."""

    name: str
    build: str
    estimator: Any
    signature: dict[str, Any]
    features: tuple[str, ...]  # signature order: how list instances are read
    numeric: tuple[str, ...]


class ApiError(Exception):
    """A request the server refuses: the HTTP status and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def resolve_build_dir(path: Path) -> Path:
    """A build directory; `<registry>/<model>/<version>` means that version's latest build."""
    from modelspec.registry.local import latest_build

    if (path / "manifest.json").is_file():
        return path
    if not path.exists():
        build = latest_build(path.parent.parent, path.parent.name, path.name)
        if build is not None:
            return path.parent / build
        raise EngineError(f"{path} is neither a registered build nor a model version with builds")
    raise EngineError(f"{path} is not a registered build (it has no manifest.json)")


def deployment_build_dir(project: Project, graph: Graph, deployment: str) -> Path:
    """The build directory the deployment's target alias points at in the local registry."""
    from modelspec.registry.local import get_alias

    resource = graph.get(Address.of("Deployment", deployment))
    model = Refs.of(graph, resource).model if resource is not None else None
    if resource is None or model is None:
        raise EngineError(f"there is no Deployment named {deployment!r} with a defined model")
    build = get_alias(project.registry_dir, model.name, DeploymentView(resource).target)
    if build is None:
        raise EngineError(f"deployment {deployment} has no deployed build yet: apply it first")
    return project.registry_dir / model.name / build


def load_served_model(path: Path) -> ServedModel:
    """Load a build after verifying every file's sha256; an altered or incomplete build is an EngineError."""
    from modelspec.registry.local import load_build, read_build_json, verify_build

    directory = resolve_build_dir(path)
    manifest = verify_build(directory)
    if "signature.json" not in manifest["files"]:
        raise EngineError(f"registry build {directory} has no signature.json to check inputs with")
    signature = read_build_json(directory, "signature.json")
    inputs = signature.get("inputs") if isinstance(signature, dict) else None
    if not isinstance(inputs, list) or not inputs:
        raise EngineError(f"registry build {directory}: signature.json lists no inputs")
    estimator = load_build(directory)
    return ServedModel(
        name=str(manifest.get("model") or directory.parent.name),
        build=str(manifest.get("build") or directory.name),
        estimator=estimator,
        signature=signature,
        features=tuple(str(i["name"]) for i in inputs),
        numeric=tuple(str(i["name"]) for i in inputs if i.get("kind") == "numeric"),
    )


def _rows(model: ServedModel, body: Any) -> list[dict[str, Any]]:
    instances = body.get("instances") if isinstance(body, dict) else None
    if not isinstance(instances, list) or not instances:
        raise ApiError(400, 'the body must be {"instances": [...]} with at least one instance')
    rows = []
    for index, instance in enumerate(instances):
        if isinstance(instance, list):
            if len(instance) != len(model.features):
                raise ApiError(
                    400,
                    f"instance {index} has {len(instance)} values; the model takes "
                    f"{len(model.features)}: {', '.join(model.features)}",
                )
            instance = dict(zip(model.features, instance, strict=True))
        if not isinstance(instance, dict):
            raise ApiError(400, f"instance {index} must be an object or a list of feature values")
        rows.append(_row(model, index, instance))
    return rows


def _row(model: ServedModel, index: int, instance: dict[str, Any]) -> dict[str, Any]:
    missing = [f for f in model.features if f not in instance]
    if missing:
        raise ApiError(400, f"instance {index} is missing feature {', '.join(missing)}")
    row: dict[str, Any] = {}
    for name in model.features:
        value = instance[name]
        if name in model.numeric:
            if isinstance(value, bool) or not isinstance(value, int | float | None):
                raise ApiError(400, f"instance {index}: feature {name} must be a number")
            row[name] = math.nan if value is None else float(value)
        elif isinstance(value, dict | list):
            raise ApiError(400, f"instance {index}: feature {name} must be a single value")
        else:
            row[name] = None if value is None else str(value)
    return row


def predict(model: ServedModel, body: Any) -> dict[str, Any]:
    """The KServe V1 response for a parsed request body; a bad body is an ApiError(400)."""
    import pandas as pd

    from modelspec.learn.train import feature_frame

    rows = _rows(model, body)
    categorical = tuple(f for f in model.features if f not in model.numeric)
    x = feature_frame(pd.DataFrame(rows, columns=list(model.features)), model.numeric, categorical)
    response: dict[str, Any] = {"predictions": model.estimator.predict(x).tolist()}
    if hasattr(model.estimator, "predict_proba") and hasattr(model.estimator, "classes_"):
        response["probabilities"] = model.estimator.predict_proba(x).tolist()
    return response


def _labels(pairs: Sequence[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    return "{" + ",".join(f"{k}={json.dumps(v)}" for k, v in pairs) + "}"


def _number(value: float) -> str:
    return "+Inf" if math.isinf(value) else repr(float(value))


class Metrics:
    """Prediction counters by status code, the latency histogram and the in-flight gauge."""

    def __init__(self, deployment: str | None = None) -> None:
        self._base: tuple[tuple[str, str], ...] = (
            (("deployment", deployment),) if deployment else ()
        )
        self._lock = threading.Lock()
        self._codes: dict[int, int] = {}
        self._buckets = [0] * len(BUCKETS)
        self._sum = 0.0
        self._count = 0
        self.inflight = 0

    def started(self) -> None:
        with self._lock:
            self.inflight += 1

    def observe(self, code: int, seconds: float) -> None:
        with self._lock:
            self.inflight -= 1
            self._codes[code] = self._codes.get(code, 0) + 1
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self._buckets[i] += 1
            self._sum += seconds
            self._count += 1

    def render(self) -> str:
        with self._lock:
            base = self._base
            lines = [
                f"# HELP {ERRORS_METRIC} Prediction requests by HTTP status code.",
                f"# TYPE {ERRORS_METRIC} counter",
            ]
            for code, n in sorted(self._codes.items()):
                lines.append(f"{ERRORS_METRIC}{_labels([*base, ('code', str(code))])} {n}")
            lines += [
                f"# HELP {LATENCY_METRIC} Prediction request latency in seconds.",
                f"# TYPE {LATENCY_METRIC} histogram",
            ]
            for bound, n in zip((*BUCKETS, math.inf), (*self._buckets, self._count), strict=True):
                le = _labels([*base, ("le", _number(bound))])
                lines.append(f"{LATENCY_METRIC}_bucket{le} {n}")
            lines.append(f"{LATENCY_METRIC}_sum{_labels(base)} {_number(self._sum)}")
            lines.append(f"{LATENCY_METRIC}_count{_labels(base)} {self._count}")
            lines += [
                f"# HELP {CONCURRENCY_METRIC} Prediction requests being answered.",
                f"# TYPE {CONCURRENCY_METRIC} gauge",
                f"{CONCURRENCY_METRIC}{_labels(base)} {self.inflight}",
            ]
        return "\n".join(lines) + "\n"


class ModelServer(ThreadingHTTPServer):
    """A threading HTTP server holding the model; in-flight requests finish on shutdown."""

    daemon_threads = False  # server_close() waits for the requests being answered
    block_on_close = True

    def __init__(
        self,
        address: tuple[str, int],
        model: ServedModel,
        metrics: Metrics,
        log: TextIO | None,
    ) -> None:
        super().__init__(address, _Handler)
        self.model = model
        self.metrics = metrics
        self.log = log
        self.ready = True

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def drain(self) -> None:
        """Stop accepting requests (readiness goes false first); callable from any thread."""
        self.ready = False
        self.shutdown()


def make_server(
    model: ServedModel,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    deployment: str | None = None,
    log: TextIO | None = sys.stderr,
) -> ModelServer:
    """A bound server (port 0 picks a free one); log=None is quiet."""
    return ModelServer((host, port), model, Metrics(deployment), log)


def serve_until_signal(server: ModelServer, on_stop: Callable[[str], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT, then finish the requests in flight and close."""

    def stop(signum: int, _frame: Any) -> None:
        if on_stop is not None:
            on_stop(signal.Signals(signum).name)
        # shutdown() waits for serve_forever(), which this handler interrupted: use a thread
        threading.Thread(target=server.drain, daemon=True).start()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.serve_forever()
    finally:
        server.server_close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Handler(BaseHTTPRequestHandler):
    server: ModelServer
    timeout = 30  # a silent client cannot hold a thread (or shutdown) forever
    server_version = "modelspec"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _log

    def do_GET(self) -> None:
        self._handle(self._get)

    def do_POST(self) -> None:
        self._handle(self._post)

    def _handle(self, route: Callable[[], tuple[int, Any]]) -> None:
        start = time.perf_counter()
        is_prediction = self.command == "POST"
        if is_prediction:
            self.server.metrics.started()
        try:
            status, payload = route()
        except ApiError as exc:
            status, payload = exc.status, {"error": exc.message}
        except Exception as exc:  # the model failed on valid input: a server error, not a crash
            status, payload = 500, {"error": f"prediction failed: {type(exc).__name__}: {exc}"}
        elapsed = time.perf_counter() - start
        if is_prediction:  # counted before the reply, so a client that has it sees it in /metrics
            self.server.metrics.observe(status, elapsed)
        self._send(status, payload)
        self._log(status, elapsed)

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
        match = _METADATA.match(path)
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
        match = _PREDICT.match(path)
        if not match or match["model"] != self.server.model.name:
            self.close_connection = True  # the body is not read
            raise ApiError(
                404,
                f"no such model endpoint: {path} (POST /v1/models/{self.server.model.name}:predict)",
            )
        return 200, predict(self.server.model, self._json_body())

    def _json_body(self) -> Any:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            raise ApiError(411, "the request needs a Content-Length header") from None
        if length < 0:
            self.close_connection = True
            raise ApiError(400, "the Content-Length header is negative")
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            raise ApiError(413, f"the body is {length} bytes; the limit is {MAX_BODY_BYTES}")
        try:
            return json.loads(self.rfile.read(length))
        except ValueError as exc:
            raise ApiError(400, f"the body is not valid JSON: {exc}") from None

    def _send(self, status: int, payload: Any) -> None:
        if isinstance(payload, str):
            body, kind = payload.encode("utf-8"), "text/plain; version=0.0.4; charset=utf-8"
        else:
            body, kind = (json.dumps(payload) + "\n").encode("utf-8"), "application/json"
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client went away; nothing to answer

    def _log(self, status: int, seconds: float) -> None:
        if self.server.log is not None:
            line = f'{self.client_address[0]} "{self.command} {self.path}" {status} {seconds * 1000:.1f}ms\n'
            self.server.log.write(line)
            self.server.log.flush()
