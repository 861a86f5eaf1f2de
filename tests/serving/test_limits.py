"""The body limits in front of MLServer's routes: too large, too slow or compressed bodies never reach a route."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from modelspec.serving.limits import BodyLimits, Limits


def _call(limits: Limits, headers: list[tuple[bytes, bytes]], chunks: list[bytes], delay: float = 0) -> tuple[int, Any, list[bytes]]:
    seen: list[bytes] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        seen.append(message["body"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(delay)
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "headers": headers}
    asyncio.run(BodyLimits(app, limits)(scope, receive, send))
    body = sent[1]["body"]
    return sent[0]["status"], json.loads(body) if body != b"ok" else body, seen


def test_a_body_within_the_limits_reaches_the_route_whole() -> None:
    status, _, seen = _call(Limits(), [(b"content-length", b"6")], [b"abc", b"def"])
    assert status == 200 and seen == [b"abcdef"]


@pytest.mark.parametrize(
    ("headers", "chunks", "delay", "status", "message"),
    [
        ([(b"content-length", b"101")], [b""], 0, 413, "the body is over 100 bytes"),
        ([], [b"x" * 60, b"x" * 60], 0, 413, "the body is over 100 bytes"),
        ([(b"content-encoding", b"gzip")], [b""], 0, 415, "compressed request bodies"),
        ([(b"content-length", b"1x")], [b""], 0, 400, "Content-Length header is malformed"),
        ([], [b"x", b"y"], 0.2, 408, "the body took too long to arrive"),
    ],
)
def test_a_body_outside_the_limits_is_refused_before_any_route(
    headers: list[tuple[bytes, bytes]], chunks: list[bytes], delay: float, status: int, message: str
) -> None:
    limits = Limits(max_body_bytes=100, read_timeout=0.05)
    got, answer, seen = _call(limits, headers, chunks, delay)
    assert (got, seen) == (status, [])
    assert message in answer["error"]


def test_limits_map_onto_uvicorn_settings() -> None:
    assert Limits().uvicorn() == {
        "limit_concurrency": 200,
        "h11_max_incomplete_event_size": 32 * 1024,
        "timeout_keep_alive": 5,
        "timeout_graceful_shutdown": 10,
    }
