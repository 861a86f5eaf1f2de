"""MLServer, run for `modelspec serve`: one verified build, REST (V2 + KServe V1) and Prometheus metrics.

`serve(config, announce)` runs MLServer 1.7 in this process (no parallel
workers, no gRPC): the model is loaded first, through serving/runtime.py, so a
build that fails verification stops the start with an EngineError before any
port opens; then the REST server (uvicorn, within serving/limits.py's limits)
and MLServer's metrics server (`/metrics` on METRICS_PORT) start. SIGTERM,
SIGINT or SIGQUIT stops accepting, lets the requests being answered finish
(up to `Limits.grace` seconds) and returns. MLServer runs with `debug` off (no
traceback ever reaches a client; a server fault is `{"error": ...}` with a
500), without its model repository endpoints (`/v2/repository/...` would let
a client unload the model or load other model settings from disk), and reads
no `.env` file.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.exceptions import RequestValidationError
from mlserver import MLServer
from mlserver.rest.server import RESTServer
from mlserver.settings import ModelParameters, ModelSettings, Settings
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from modelspec.errors import EngineError, UserError
from modelspec.registry.verify import BuildRecord
from modelspec.serving.limits import BodyLimits, Limits
from modelspec.serving.protocol import encode, error_body
from modelspec.serving.runtime import ModelspecRuntime, record_extra

__all__ = ["HTTP_PORT", "METRICS_PORT", "ServeConfig", "check_ports", "serve"]

HTTP_PORT = 8080
METRICS_PORT = 8082  # MLServer's default; named `metrics` in the rendered manifests
METRICS_PATH = "/metrics"
RUNTIME = f"{ModelspecRuntime.__module__}.{ModelspecRuntime.__qualname__}"


@dataclass(frozen=True)
class ServeConfig:
    """What to serve (a build and the record to verify it by), under which name, and where."""

    build_dir: Path
    record: BuildRecord
    name: str  # the name clients use: /v2/models/<name>, /v1/models/<name>
    host: str = "127.0.0.1"
    port: int = HTTP_PORT
    metrics_port: int = METRICS_PORT
    access_log: bool = True
    limits: Limits = field(default_factory=Limits)

    def model_settings(self) -> ModelSettings:
        return ModelSettings(
            _env_file=None,
            name=self.name,
            implementation=RUNTIME,
            platform="sklearn",
            parameters=ModelParameters(
                _env_file=None,
                uri=str(self.build_dir),
                version=self.record.build,
                extra=record_extra(self.record.model, self.record.build, dict(self.record.files)),
            ),
        )

    def settings(self) -> Settings:
        return Settings(
            _env_file=None,
            debug=False,
            parallel_workers=0,
            host=self.host,
            http_port=self.port,
            metrics_port=self.metrics_port,
            metrics_endpoint=METRICS_PATH,
            load_models_at_startup=False,
        )


def check_ports(host: str, ports: list[int]) -> None:
    """A UserError naming the first port that cannot be listened on (uvicorn would exit instead)."""
    for port in ports:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(config: ServeConfig, announce: Callable[[str], None]) -> None:
    """Load and verify the build, serve until a stop signal, then return; announce is told when
    the model is loaded and which signal stopped it."""
    if config.port and config.port == config.metrics_port:
        raise UserError(f"the HTTP and metrics ports must differ (both are {config.port})")
    check_ports(config.host, [config.port, config.metrics_port])
    asyncio.run(_serve(config, announce))


async def _serve(config: ServeConfig, announce: Callable[[str], None]) -> None:
    server = _Server(config, announce)
    await server.start([config.model_settings()])


class _RESTServer(RESTServer):  # type: ignore[misc]  # mlserver ships no type hints
    """MLServer's REST server with the limits, a JSON 500, and no model repository routes."""

    def __init__(self, config: ServeConfig, *args: Any) -> None:
        super().__init__(*args)
        self._config = config
        app = self._app
        app.router.routes = [
            r for r in app.router.routes if not getattr(r, "path", "").startswith("/v2/repository")
        ]
        app.user_middleware.append(Middleware(BodyLimits, limits=config.limits))  # inside metrics
        app.add_exception_handler(RequestValidationError, _invalid_body)
        app.add_exception_handler(Exception, _server_error)

    def _get_config(self) -> Any:
        import uvicorn

        return uvicorn.Config(
            self._app,
            host=self._config.host,
            port=self._config.port,
            access_log=self._config.access_log,
            log_level="info" if self._config.access_log else "warning",
            **self._config.limits.uvicorn(),
        )


async def _invalid_body(request: Request, exc: Exception) -> Response:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    first = errors[0] if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    reason = f"{first.get('msg', 'invalid')}{f' at {where}' if where else ''}"
    body = encode(error_body(f"the body is refused: {reason}"))
    return Response(body, status_code=422, media_type="application/json")


async def _server_error(request: Request, exc: Exception) -> Response:
    body = encode(error_body(f"internal server error: {type(exc).__name__}"))
    return Response(body, status_code=500, media_type="application/json")


class _Server(MLServer):  # type: ignore[misc]
    """MLServer that loads the model before it listens, runs no gRPC, and says how it stopped."""

    def __init__(self, config: ServeConfig, announce: Callable[[str], None]) -> None:
        self._config = config
        self._announce = announce
        self._started = False
        self._stopped = False
        super().__init__(config.settings())

    def _create_servers(self) -> None:
        self._rest_server = _RESTServer(
            self._config, self._settings, self._data_plane, self._model_repository_handlers
        )
        self._grpc_server = None
        self._kafka_server = None

    async def start(self, models_settings: list[ModelSettings]) -> None:
        for model_settings in models_settings:
            try:
                await self._model_registry.load(model_settings)
            except (EngineError, UserError):
                raise
            except Exception as exc:  # MLServer's or the model's own failure to load
                raise EngineError(f"the model could not be loaded: {type(exc).__name__}: {exc}") from None
        if self._stopped:
            return
        self._started = True
        config = self._config
        self._announce(
            f"serving {config.record.model} {config.record.build} as {config.name} on "
            f"http://{config.host}:{config.port} (V2 /v2/models/{config.name}/infer, "
            f"V1 /v1/models/{config.name}:predict); metrics on "
            f"http://{config.host}:{config.metrics_port}{METRICS_PATH}"
        )
        servers = [self._rest_server.start()]
        if self._metrics_server is not None:
            servers.append(self._metrics_server.start())
        await asyncio.gather(*servers)

    async def stop(self, sig: int | None = None) -> None:
        if not self._stopped and sig is not None:
            self._announce(f"{signal.Signals(sig).name}: shutting down")
        self._stopped = True
        if self._started:
            await super().stop(sig)
