"""An in-process state backend, for tests and for tools that never touch the disk."""

from __future__ import annotations

import threading
import time

from modelspec.state.lock import Lock, LockIdMismatch, LockInfo, NotLocked, StateLocked
from modelspec.state.model import State

__all__ = ["MemoryBackend"]

_POLL_SECONDS = 0.01


class MemoryBackend:
    """State and lock held in this object; every write is kept in `history`."""

    def __init__(self, state: State | None = None) -> None:
        self._state = state
        self._empty = State.empty()
        self._holder: LockInfo | None = None
        self._mutex = threading.Lock()
        self.history: list[State] = []

    def read(self) -> State:
        with self._mutex:
            return self._state if self._state is not None else self._empty

    def write(self, state: State) -> None:
        with self._mutex:
            self._state = state
            self.history.append(state)

    def lock(self, info: LockInfo, timeout: float = 0) -> Lock:
        deadline = time.monotonic() + timeout
        while True:
            with self._mutex:
                holder = self._holder
                if holder is None:
                    self._holder = info
                    return Lock(info, lambda: self._release(info.id))
            if time.monotonic() >= deadline:
                raise StateLocked(holder, stale=False)
            time.sleep(_POLL_SECONDS)

    def force_unlock(self, lock_id: str) -> None:
        with self._mutex:
            if self._holder is None:
                raise NotLocked(lock_id)
            if self._holder.id != lock_id:
                raise LockIdMismatch(lock_id, self._holder)
            self._holder = None

    def current_lock(self) -> LockInfo | None:
        with self._mutex:
            return self._holder

    def _release(self, lock_id: str) -> None:
        with self._mutex:
            if self._holder is not None and self._holder.id == lock_id:
                self._holder = None
