"""Size and time limits on what a client sends to `modelspec serve`, kept as far as MLServer's uvicorn allows.

`Limits.uvicorn()` maps onto uvicorn's own settings: at most
`max_connections` requests at once (the next gets a 503), request line and
headers within `max_header_bytes` (else a 400), idle keep-alive connections
closed after `keep_alive`, and SIGTERM lets the requests being answered
finish for up to `grace` seconds. `BodyLimits`, an ASGI middleware inside
MLServer's app, reads every body before any route sees it: a Content-Length
over `max_body_bytes` is a 413 before a byte is read, as is a chunked body
that grows past it; a body whose next bytes take more than `read_timeout`,
or that has not all arrived `request_timeout` after the headers, is a 408;
a compressed body (`Content-Encoding`, which MLServer would inflate without
a bound) is a 415. Every refusal is `{"error": ...}`. What uvicorn cannot
bound is the time a client takes to send its headers: put an ingress or
proxy with a header timeout in front of a server that faces the internet.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from modelspec.serving.protocol import encode, error_body

__all__ = ["BodyLimits", "Limits"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    """How much and how long a client may send, and how long shutdown waits (seconds, bytes)."""

    max_body_bytes: int = 10 * 1024 * 1024
    read_timeout: float = 10.0  # the longest wait for the next bytes of a body
    request_timeout: float = 30.0  # the longest a whole body may take to arrive
    max_header_bytes: int = 32 * 1024
    max_connections: int = 200
    keep_alive: int = 5
    grace: int = 10  # how long SIGTERM waits for the requests being answered

    def uvicorn(self) -> dict[str, Any]:
        """These limits as uvicorn.Config keyword arguments."""
        return {
            "limit_concurrency": self.max_connections,
            "h11_max_incomplete_event_size": self.max_header_bytes,
            "timeout_keep_alive": self.keep_alive,
            "timeout_graceful_shutdown": self.grace,
        }


class BodyLimits:
    """ASGI middleware: the whole body read within the limits, then handed on; else 413/408/415."""

    def __init__(self, app: App, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self._refused_by_headers(scope)
        if refused is not None:
            await _answer(send, *refused)
            return
        try:
            body = await self._read(receive)
        except _Refused as exc:
            await _answer(send, exc.status, exc.message)
            return
        if body is None:  # the client went away
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only the disconnect is left

        await self.app(scope, replay, send)

    def _refused_by_headers(self, scope: Scope) -> tuple[int, str] | None:
        headers = [(k.lower(), v) for k, v in scope.get("headers", [])]
        encodings = [v.strip().lower() for k, v in headers if k == b"content-encoding"]
        if any(e not in (b"", b"identity") for e in encodings):
            return 415, "compressed request bodies are not accepted: send the body uncompressed"
        lengths = [v for k, v in headers if k == b"content-length"]
        if not lengths:
            return None
        if len(set(lengths)) != 1 or not lengths[0].strip().isdigit():
            return 400, "the Content-Length header is malformed"
        if int(lengths[0]) > self.limits.max_body_bytes:
            return 413, self._too_large()
        return None

    def _too_large(self) -> str:
        return f"the body is over {self.limits.max_body_bytes:,} bytes: send smaller batches"

    async def _read(self, receive: Receive) -> bytes | None:
        deadline = time.monotonic() + self.limits.request_timeout
        chunks: list[bytes] = []
        size = 0
        while True:
            wait = min(self.limits.read_timeout, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(wait, 0.001))
            except TimeoutError:
                raise _Refused(408, "the body took too long to arrive") from None
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                raise _Refused(413, self._too_large())
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _answer(send: Send, status: int, message: str) -> None:
    body = encode(error_body(message))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
