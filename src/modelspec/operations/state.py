"""The state operations: read the applied state (list, show, pull), push, migrate, force-unlock."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from modelspec.errors import UserError
from modelspec.project import Project
from modelspec.state import (
    LockIdMismatch,
    LockInfo,
    NotLocked,
    ResourceState,
    State,
    StateError,
    backend_for,
)
from modelspec.state.backend import KeepsHistory, SerialInfo, StateBackend, holder_is_stale

__all__ = [
    "HeldLock",
    "force_unlock",
    "held_lock",
    "pull_state",
    "read_state",
    "state_history",
    "state_resource",
]


@dataclass(frozen=True)
class HeldLock:
    """The lock force-unlock would remove; stale when its process on this host is gone."""

    holder: LockInfo
    stale: bool
    shared: bool = False  # a PostgreSQL lock: stale means its database session has ended


def read_state(project: Project, serial: int | None = None) -> State:
    """The state the last apply left (or the one kept at serial); errors are the user's to fix."""
    try:
        backend = backend_for(project)
        if serial is None:
            return backend.read()
        return _keeper(backend).read_serial(serial)
    except StateError as exc:
        raise UserError(str(exc)) from None


def state_history(project: Project) -> list[SerialInfo]:
    """Every serial the backend keeps, oldest first."""
    try:
        return _keeper(backend_for(project)).history()
    except StateError as exc:
        raise UserError(str(exc)) from None


def pull_state(project: Project, serial: int | None = None) -> str | None:
    """The state file text of the current state (or serial), as `state pull` prints it; None if none."""
    from modelspec.state import dumps_state

    state = read_state(project, serial)
    if serial is None and state.serial == 0 and not state.resources:
        return None
    return dumps_state(state)


def _keeper(backend: StateBackend) -> KeepsHistory:
    if not isinstance(backend, KeepsHistory):
        raise StateError("this state backend keeps no history")
    return backend


def state_resource(project: Project, address: str, serial: int | None = None) -> ResourceState:
    """One resource in state; an unknown address suggests the closest one."""
    state = read_state(project, serial)
    rs = state.resources.get(address)
    if rs is None:
        raise UserError(_unknown_address(address, state.addresses))
    return rs


def held_lock(project: Project, lock_id: str) -> HeldLock:
    """The holder of the lock, checked to be lock_id (else the error says whose it is)."""
    try:
        backend = backend_for(project)
        holder = backend.current_lock()
        if holder is None:
            raise NotLocked(lock_id)
        if not holder.answers_to(lock_id):
            raise LockIdMismatch(lock_id, holder)
        stale = holder_is_stale(backend, holder)
    except StateError as exc:
        raise UserError(str(exc)) from None
    return HeldLock(holder, stale, project.config.state.backend == "postgres")


def force_unlock(project: Project, lock_id: str) -> None:
    """Remove the lock lock_id, whatever holds it."""
    try:
        backend_for(project).force_unlock(lock_id)
    except StateError as exc:
        raise UserError(str(exc)) from None


def _unknown_address(address: str, known: Sequence[str]) -> str:
    message = f"no resource {address} in state"
    close = difflib.get_close_matches(address, known, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]}?"
    if not known:
        return f"{message}: the state is empty"
    return f"{message}; `modelspec state list` shows the {len(known)} it holds"
