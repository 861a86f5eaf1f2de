"""Talking to the MLflow server: its address, a quick reachability check, one-line errors, lookups that allow absence."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from modelspec.errors import EngineError

__all__ = [
    "ENV",
    "by_alias",
    "call",
    "check_reachable",
    "ensure_model",
    "page",
    "quiet",
    "registered",
    "server_uri",
    "shown",
]

ENV = "MLFLOW_TRACKING_URI"
_T = TypeVar("_T")


def server_uri() -> str:
    """MLFLOW_TRACKING_URI; an EngineError when it is not set."""
    uri = os.environ.get(ENV, "").strip()
    if not uri:
        raise EngineError(
            f"registry.backend is mlflow but {ENV} is not set: export {ENV}=http://HOST:PORT "
            "(the MLflow tracking server; credentials in MLflow's own MLFLOW_TRACKING_USERNAME/"
            "MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN)"
        )
    return uri


def shown(uri: str) -> str:
    """uri without any user:password in it, for messages."""
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def check_reachable(uri: str) -> None:
    """A quick GET of the server's /health, so a server that is down fails at once, not after
    MLflow's retries (minutes)."""
    import urllib.error
    import urllib.request

    if urlsplit(uri).scheme not in ("http", "https"):
        return
    parts = urlsplit(uri)
    netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    health = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") + "/health", "", ""))
    try:
        with urllib.request.urlopen(health, timeout=10) as response:
            response.read(64)
    except urllib.error.HTTPError:
        return  # it answers (a proxy in front may guard /health): MLflow's own calls tell more
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise EngineError(
            f"cannot reach the MLflow server at {shown(uri)} ({reason}); nothing was changed: "
            f"start it, or set {ENV} to the server's address"
        ) from None


_FAILURES = {"MlflowException", "RestException", "ConnectionError", "HTTPError", "Timeout",
             "RetryError", "ChunkedEncodingError", "ReadTimeout", "ConnectTimeout"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 300 else line[:297] + "..."


@contextmanager
def quiet() -> Iterator[None]:
    """MLflow's INFO logging (waiting for a version, run links) kept out of modelspec's output."""
    import logging

    logger = logging.getLogger("mlflow")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)



def call(uri: str, what: str, run: Callable[[], _T]) -> _T:
    """run(), with MLflow's and the network's failures as one-line EngineErrors naming the server."""
    with quiet():
        try:
            return run()
        except EngineError:
            raise
        except Exception as exc:  # MlflowException, requests' errors, OSError
            if type(exc).__name__ not in _FAILURES and not isinstance(exc, OSError):
                raise
            raise EngineError(
                f"MLflow registry at {shown(uri)}: cannot {what}: {_first_line(exc)}; "
                f"check that the server is up and {ENV} names it"
            ) from None


def page(client: Any, model: str, token: str | None) -> Any:
    return client.search_model_versions(f"name = '{model}'", max_results=1000, page_token=token)


def ensure_model(client: Any, model: str) -> None:
    if registered(client, model) is None:
        client.create_registered_model(
            model, tags={"modelspec.managed": "true"},
            description=f"Builds of the modelspec Model {model}, registered by `modelspec apply`.",
        )


def registered(client: Any, model: str) -> Any:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_registered_model(model)
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise


def by_alias(client: Any, model: str, target: str) -> Any:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(model, target)
    except MlflowException as exc:
        if exc.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
            return None
        raise
