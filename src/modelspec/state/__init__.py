"""State storage for plan and apply: backends behind one interface, locks, and the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modelspec.state.audit import append_audit, audit_record, read_audit
from modelspec.state.backend import KeepsHistory, StateBackend
from modelspec.state.fileformat import dumps_state, loads_state
from modelspec.state.local import LocalFileBackend
from modelspec.state.lock import Lock, LockIdMismatch, LockInfo, NotLocked, StateLocked
from modelspec.state.memory import MemoryBackend
from modelspec.state.model import CURRENT_FORMAT_VERSION, ResourceState, State, StateError

if TYPE_CHECKING:
    from modelspec.project import Project

__all__ = [
    "CURRENT_FORMAT_VERSION",
    "KeepsHistory",
    "LocalFileBackend",
    "Lock",
    "LockIdMismatch",
    "LockInfo",
    "MemoryBackend",
    "NotLocked",
    "ResourceState",
    "State",
    "StateBackend",
    "StateError",
    "StateLocked",
    "append_audit",
    "audit_record",
    "backend_for",
    "dumps_state",
    "loads_state",
    "read_audit",
]


def backend_for(project: Project, kind: str | None = None) -> StateBackend:
    """The backend modelspec.yaml names (or kind): a file in the project, or PostgreSQL.

    The PostgreSQL backend keys its state by the project's name and reads its
    connection from the environment when first used (state/pgconnect.py).
    """
    if (kind or project.config.state.backend) == "postgres":
        from modelspec.state.postgres import PostgresBackend

        return PostgresBackend(project.name)
    return LocalFileBackend(project.state_path)
