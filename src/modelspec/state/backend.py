"""The one interface every state backend implements, and the history a shared backend adds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from modelspec.state.lock import Lock, LockInfo, is_stale
from modelspec.state.model import State

__all__ = ["KeepsHistory", "SerialInfo", "StateBackend", "holder_is_stale", "plan_needs_lock"]


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


@dataclass(frozen=True)
class SerialInfo:
    """One kept state: its serial, lineage ("" when only its file is listed) and when written."""

    serial: int
    lineage: str
    written: str  # ISO-8601 UTC


@runtime_checkable
class KeepsHistory(Protocol):
    """A backend that keeps every serial: `state pull --serial`, `state migrate`."""

    @property
    def where(self) -> str:
        """The state's place in messages: a file, or a database and workspace."""
        ...

    def read(self) -> State: ...

    def read_serial(self, serial: int) -> State:
        """The state as it was at serial; a StateError naming the kept ones otherwise."""
        ...

    def history(self) -> list[SerialInfo]:
        """Every kept serial, oldest first."""
        ...

    def import_history(self, states: Sequence[State]) -> None:
        """Store every state given, the highest serial becoming the current one."""
        ...


def plan_needs_lock(backend: object) -> bool:
    """Whether plan must read under the lock: not where a read is one consistent snapshot."""
    return not getattr(backend, "snapshot_reads", False)


def holder_is_stale(backend: object, holder: LockInfo) -> bool:
    """Whether holder's lock outlived it: its database session ended, or its process here."""
    live = getattr(backend, "lock_is_live", None)
    if callable(live):
        return not live()
    return is_stale(holder)
