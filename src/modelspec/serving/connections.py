"""A server's open client connections, so that shutdown closes those still being read at once and
gives those being answered a grace period, and a flood of clients is turned away at a limit."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

__all__ = ["Connections"]


class Connections:
    """Each open connection is either being read (its request is not complete yet) or being
    answered. Thread-safe: handler threads move their own; shutdown closes them all."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._changed = threading.Condition()
        self._reading: set[socket.socket] = set()
        self._answering: set[socket.socket] = set()
        self._closing = False

    def open(self, sock: socket.socket) -> bool:
        """Track a newly accepted connection; False when shutting down or at the limit."""
        with self._changed:
            if self._closing or len(self._reading) + len(self._answering) >= self._limit:
                return False
            self._reading.add(sock)
            return True

    def answering(self, sock: socket.socket) -> bool:
        """The request on sock is complete: shutdown now waits for its answer. False when
        shutdown has already closed the connection (there is nobody to answer)."""
        with self._changed:
            if self._closing or sock not in self._reading:
                return False
            self._reading.discard(sock)
            self._answering.add(sock)
            return True

    def closed(self, sock: socket.socket) -> None:
        with self._changed:
            self._reading.discard(sock)
            self._answering.discard(sock)
            self._changed.notify_all()

    def count(self) -> int:
        with self._changed:
            return len(self._reading) + len(self._answering)

    def close_all(self, grace: float) -> int:
        """Refuse new connections, close those being read now and those being answered once
        they finish or `grace` seconds have passed; how many answers were cut off."""
        end = time.monotonic() + grace
        with self._changed:
            self._closing = True
            for sock in self._reading:
                _shut(sock)  # wakes a handler blocked reading: it sees the end of the stream
            while self._answering and (left := end - time.monotonic()) > 0:
                self._changed.wait(left)
            cut = list(self._answering)
            for sock in cut:
                _shut(sock)
        return len(cut)


def _shut(sock: socket.socket) -> None:
    # shutdown, not close: the handler thread still owns the file descriptor and closes it;
    # OSError: the client has already gone
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
