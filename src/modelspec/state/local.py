"""The local state backend: a JSON file written atomically, its backup, and a lock file beside it."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from modelspec.files import write_atomic
from modelspec.state.fileformat import dumps_state, loads_state
from modelspec.state.lock import (
    Lock,
    LockInfo,
    acquire_lock_file,
    force_unlock_file,
    read_lock_file,
)
from modelspec.state.model import State, StateError

__all__ = ["LocalFileBackend"]


class LocalFileBackend:
    """State in one JSON file (.modelspec/state.json); state.json.backup keeps the previous one.

    Beside it: state.lock while a command holds the lock.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.backup_path = path.with_name(path.name + ".backup")
        self.lock_path = path.with_suffix(".lock")
        self._empty: State | None = None

    def read(self) -> State:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            # one lineage for every read of a not-yet-written state in this process
            if self._empty is None:
                self._empty = State.empty()
            return self._empty
        except OSError as exc:
            raise StateError(f"cannot read state file {self.path}: {exc.strerror or exc}") from None
        backup = str(self.backup_path) if self.backup_path.exists() else None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            fallback = f"; the previous state is kept in {backup}" if backup else ""
            raise StateError(
                f"state file {self.path} is corrupt: not UTF-8 text{fallback}"
            ) from None
        return loads_state(text, str(self.path), backup=backup)

    def write(self, state: State) -> None:
        payload = dumps_state(state).encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                self._keep_backup()
            write_atomic(self.path, payload, sync_dir=True)
        except OSError as exc:
            raise StateError(
                f"cannot write state file {self.path}: {exc.strerror or exc}"
            ) from None

    def lock(self, info: LockInfo, timeout: float = 0) -> Lock:
        return acquire_lock_file(self.lock_path, info, timeout)

    def force_unlock(self, lock_id: str) -> None:
        force_unlock_file(self.lock_path, lock_id)

    def current_lock(self) -> LockInfo | None:
        return read_lock_file(self.lock_path)

    def _keep_backup(self) -> None:
        """Make state.json.backup the current file, without a moment where either is partial.

        A hard link shares the old file's bytes: once the new state replaces
        state.json, the backup name still holds the old one. Where links are not
        supported, the bytes are copied through a temp file instead.
        """
        tmp = self.path.with_name(f".{self.backup_path.name}.{uuid.uuid4().hex}.tmp")
        try:
            os.link(self.path, tmp)
        except OSError:
            write_atomic(self.backup_path, self.path.read_bytes(), sync_dir=True)
            return
        try:
            os.replace(tmp, self.backup_path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
