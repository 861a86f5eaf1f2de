"""Time and size limits on what a client sends, so that no client can hold a model server or its shutdown.

What every model server modelspec runs must keep (the built-in server reads
requests with the functions below; a later runtime adapter, KServe or
MLServer behind uvicorn for instance, maps `Limits` onto its own settings and
keeps each point, and serving/protocol.py's rules for bodies):

- Every read from a client waits at most `read_timeout` for the next bytes,
  and reading one whole request (request line, headers and body) ends by
  `request_timeout` after the connection was accepted, however the bytes
  trickle in: both are a 408 and the connection is closed.
- The request line is at most `max_request_line` bytes (else 414), the
  headers at most `max_headers` lines and `max_header_bytes` (else 431), and
  a header line that is not `name: value` is a 400.
- A body comes with a Content-Length of at most `max_body_bytes` (else 413,
  refused before the body is read); a missing length or any
  Transfer-Encoding (chunked) is a 411, a malformed or conflicting length a
  400.
- Answers are written within `write_timeout`; at most `max_connections`
  clients are served at once (the next one gets a 503).
- SIGTERM or SIGINT stops accepting connections, closes at once those whose
  request is still being read, lets the requests being answered finish for up
  to `grace` seconds, and then exits even if a client is still sending.
"""

from __future__ import annotations

import io
import re
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from modelspec.serving.protocol import ApiError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "ClientGone",
    "Headers",
    "Limits",
    "RequestLine",
    "RequestReader",
    "body_length",
    "has_body",
    "linger",
    "read_body",
    "read_headers",
    "read_request_line",
]

Headers = Mapping[str, tuple[str, ...]]  # lower-case name -> values, in the order sent

_METHOD = re.compile(r"[A-Z]{1,16}")
_TARGET = re.compile(r"[!-~]+")  # visible ASCII: nothing that could break a log line
_VERSION = re.compile(r"HTTP/([0-9])\.([0-9])")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class Limits:
    """How long and how much a client may send, and how long shutdown waits (seconds, bytes)."""

    read_timeout: float = 10.0  # the longest wait for the next bytes of a request
    request_timeout: float = 30.0  # the longest a whole request may take to arrive
    write_timeout: float = 10.0  # the longest an answer may take to be sent
    max_request_line: int = 8 * 1024
    max_headers: int = 100
    max_header_bytes: int = 32 * 1024
    max_body_bytes: int = 10 * 1024 * 1024
    max_connections: int = 200
    grace: float = 10.0  # how long shutdown waits for the requests being answered
    linger: float = 1.0  # how long a refused request's unread bytes are drained before closing


@dataclass(frozen=True)
class RequestLine:
    method: str
    target: str
    version: str


class ClientGone(Exception):
    """The connection closed before the request was complete: there is nobody to answer."""


class RequestReader(io.RawIOBase):
    """A client socket as a raw stream: each read waits at most `read_timeout`, and no read
    ends later than `request_timeout` after the reader was made. Both are an ApiError(408);
    a reset connection is ClientGone. Wrap it in io.BufferedReader to read lines."""

    def __init__(
        self, sock: socket.socket, limits: Limits, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._sock = sock
        self._limits = limits
        self._clock = clock
        self._deadline = clock() + limits.request_timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        limits = self._limits
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            raise self._late()
        wait = min(limits.read_timeout, remaining)
        self._sock.settimeout(wait)
        try:
            return self._sock.recv_into(buffer)
        except TimeoutError:
            if wait < limits.read_timeout:
                raise self._late() from None
            raise ApiError(408, f"the client sent nothing for {limits.read_timeout:g} s") from None
        except OSError:
            raise ClientGone() from None

    def _late(self) -> ApiError:
        return ApiError(
            408, f"the request did not arrive within {self._limits.request_timeout:g} s"
        )


def read_request_line(stream: io.BufferedIOBase, limits: Limits) -> RequestLine:
    """`METHOD TARGET HTTP/1.x`: 414 when too long, 505 for another HTTP version, else 400."""
    line = b""
    for _ in range(3):  # a client may send empty lines before a request (RFC 9112, 2.2)
        line = stream.readline(limits.max_request_line + 1)
        if line not in (b"\r\n", b"\n"):
            break
    if len(line) > limits.max_request_line:
        raise ApiError(414, f"the request line is over {limits.max_request_line:,} bytes")
    if not line.endswith(b"\n"):
        raise ClientGone()
    words = line.rstrip(b"\r\n").decode("latin-1").split(" ")
    if len(words) != 3 or not _METHOD.fullmatch(words[0]) or not _TARGET.fullmatch(words[1]):
        raise ApiError(400, "the request line is not METHOD /path HTTP/1.1")
    version = _VERSION.fullmatch(words[2])
    if version is None:
        raise ApiError(400, "the request line does not end in HTTP/1.1 or HTTP/1.0")
    if version[1] != "1":
        raise ApiError(505, f"{words[2]} is not supported: use HTTP/1.1 or HTTP/1.0")
    return RequestLine(*words)


def read_headers(stream: io.BufferedIOBase, limits: Limits) -> Headers:
    """The header fields up to the empty line: 431 when too many or too large, 400 when malformed."""
    fields: dict[str, list[str]] = {}
    budget = limits.max_header_bytes
    for count in range(1, limits.max_headers + 2):
        line = stream.readline(budget + 1)
        if len(line) > budget:
            raise ApiError(431, f"the request headers are over {limits.max_header_bytes:,} bytes")
        if not line.endswith(b"\n"):
            raise ClientGone()
        budget -= len(line)
        if line in (b"\r\n", b"\n"):
            return {name: tuple(values) for name, values in fields.items()}
        if count > limits.max_headers:
            break
        text = line.rstrip(b"\r\n").decode("latin-1")
        name, colon, value = text.partition(":")
        if not colon or not _TOKEN.fullmatch(name) or _CONTROL.search(value):
            raise ApiError(400, f"header line {count} is not NAME: VALUE")
        fields.setdefault(name.lower(), []).append(value.strip(" \t"))
    raise ApiError(431, f"the request has more than {limits.max_headers} header lines")


def has_body(headers: Headers) -> bool:
    """Whether the request says a body follows its headers."""
    return "transfer-encoding" in headers or any(
        value.strip() not in ("", "0") for value in headers.get("content-length", ())
    )


def body_length(headers: Headers, limits: Limits) -> int:
    """The Content-Length of a request that must have a body: 411 without one (or when the body
    is sent chunked), 413 over max_body_bytes, 400 when it is not one number of bytes."""
    if "transfer-encoding" in headers:
        raise ApiError(
            411,
            "send the body with a Content-Length header: Transfer-Encoding (chunked) is not accepted",
        )
    values = {v.strip() for value in headers.get("content-length", ()) for v in value.split(",")}
    if not values:
        raise ApiError(411, "the request needs a Content-Length header")
    if len(values) > 1:
        raise ApiError(400, "the request has conflicting Content-Length values")
    (value,) = values
    if not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise ApiError(400, f"the Content-Length header {value[:30]!r} is not a number of bytes")
    length = int(value)
    if length > limits.max_body_bytes:
        raise ApiError(413, f"the body is {length} bytes; the limit is {limits.max_body_bytes}")
    return length


def read_body(stream: io.BufferedIOBase, length: int) -> bytes:
    """Exactly length bytes of body (within the reader's deadline); a body cut short is a 400."""
    body = stream.read(length)
    if len(body) < length:
        raise ApiError(400, f"the body ended after {len(body)} of its {length} bytes")
    return body


def linger(sock: socket.socket, seconds: float) -> None:
    """Finish the answer, then read and drop what the client still sends for up to `seconds`,
    so that closing a connection with unread bytes does not reset it before the client has
    read the answer (a refused request's body, for instance)."""
    try:
        sock.shutdown(socket.SHUT_WR)
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(64 * 1024):
                return
    except OSError:
        pass  # timed out, reset or already closed: nothing left to wait for
