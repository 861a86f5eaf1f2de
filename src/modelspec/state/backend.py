"""The one interface every state backend implements."""

from __future__ import annotations

from typing import Protocol

from modelspec.state.lock import Lock, LockInfo
from modelspec.state.model import State

__all__ = ["StateBackend"]


class StateBackend(Protocol):
    """Where state is kept. Errors the user can act on are StateError subclasses."""

    def read(self) -> State:
        """The stored state; an empty State when nothing was stored yet."""
        ...

    def write(self, state: State) -> None:
        """Store state so that a crash leaves either the old or the new one, whole."""
        ...

    def lock(self, info: LockInfo, timeout: float = 0) -> Lock:
        """Take the lock, waiting up to timeout seconds; StateLocked names the holder."""
        ...

    def force_unlock(self, lock_id: str) -> None:
        """Remove the lock if its id is lock_id; otherwise say whose lock it is."""
        ...

    def current_lock(self) -> LockInfo | None:
        """The holder of the lock, or None when the state is not locked."""
        ...
