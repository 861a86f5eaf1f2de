"""The state operations: read the applied state (list, show) and remove a lock left behind."""

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
from modelspec.state.lock import is_stale

__all__ = ["HeldLock", "force_unlock", "held_lock", "read_state", "state_resource"]


@dataclass(frozen=True)
class HeldLock:
    """The lock force-unlock would remove; stale when its process on this host is gone."""

    holder: LockInfo
    stale: bool


def read_state(project: Project) -> State:
    """The state the last apply left; a corrupt or unreadable state is the user's to fix."""
    try:
        return backend_for(project).read()
    except StateError as exc:
        raise UserError(str(exc)) from None


def state_resource(project: Project, address: str) -> ResourceState:
    """One resource in state; an unknown address suggests the closest one."""
    state = read_state(project)
    rs = state.resources.get(address)
    if rs is None:
        raise UserError(_unknown_address(address, state.addresses))
    return rs


def held_lock(project: Project, lock_id: str) -> HeldLock:
    """The holder of the lock, checked to be lock_id (else the error says whose it is)."""
    try:
        holder = backend_for(project).current_lock()
        if holder is None:
            raise NotLocked(lock_id)
        if not holder.answers_to(lock_id):
            raise LockIdMismatch(lock_id, holder)
    except StateError as exc:
        raise UserError(str(exc)) from None
    return HeldLock(holder, is_stale(holder))


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
