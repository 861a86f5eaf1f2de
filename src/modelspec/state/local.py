"""The local state backend: a JSON file written atomically, its backup, history and lock beside it."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from modelspec.files import ReadRefused, os_reason, read_regular, write_atomic
from modelspec.state.audit import AUDIT_FILE, FileAuditLog
from modelspec.state.backend import SerialInfo
from modelspec.state.fileformat import dumps_state, loads_state
from modelspec.state.lock import (
    Lock,
    LockInfo,
    acquire_lock_file,
    force_unlock_file,
    read_lock_file,
)
from modelspec.state.model import State, StateError
from modelspec.state.readback import STATE_LIMIT, os_failure

__all__ = ["LocalFileBackend"]

# the longest name derived from the state file's: a temp file of its backup,
# ".<name>.backup.<12 hex>.tmp" (write_atomic's temp names are as long)
_DERIVED_EXTRA = len("..backup..tmp") + 12
_DEFAULT_NAME_MAX = 255


class LocalFileBackend:
    """State in one JSON file (.modelspec/state.json); state.json.backup keeps the previous one.

    Beside it: state.lock while a command holds the lock, and state.json.history/
    with every serial written (`<serial>.json`, hard links where the file system
    has them, so keeping them costs no write), and the audit log audit.jsonl.
    """

    snapshot_reads = False  # plan reads under the lock: a file has no snapshots

    def __init__(self, path: Path) -> None:
        self.path = path
        self.backup_path = path.with_name(path.name + ".backup")
        self.history_dir = path.with_name(path.name + ".history")
        self.lock_path = path.with_suffix(".lock")
        self._empty: State | None = None

    @property
    def where(self) -> str:
        return str(self.path)

    def read(self) -> State:
        """The stored state; a StateError naming the file and the way back when it is unusable."""
        try:
            data = read_regular(self.path, limit=STATE_LIMIT)
        except FileNotFoundError:
            # one lineage for every read of a not-yet-written state in this process
            if self._empty is None:
                self._empty = State.empty()
            return self._empty
        except ReadRefused as exc:
            raise StateError(
                f"cannot read state file {self.path}: {exc}; {self._restore_hint()}"
            ) from None
        except OSError as exc:
            raise StateError(f"cannot read state file {self.path}: {os_reason(exc)}") from None
        return loads_state(data, str(self.path), hint=self._restore_hint)

    def write(self, state: State) -> None:
        # backslashreplace writes a lone surrogate as its JSON escape, which reads back the same
        payload = dumps_state(state).encode("utf-8", "backslashreplace")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                self._keep_backup()
            write_atomic(self.path, payload, sync_dir=True)
        except OSError as exc:
            raise os_failure("write state file", self.path, exc) from None
        except ReadRefused as exc:  # copying the old file to the backup, where links fail
            raise StateError(f"cannot back up state file {self.path}: {exc}") from None
        self._keep_serial(state.serial, payload)

    def read_serial(self, serial: int) -> State:
        """The state as it was at serial: the current file, or its copy in the history."""
        current = self.read()
        if current.serial == serial and self.path.exists():
            return current
        path = self.history_dir / f"{serial}.json"
        try:
            data = read_regular(path, limit=STATE_LIMIT)
        except FileNotFoundError:
            kept = [s.serial for s in self.history()]
            span = f"serials {', '.join(map(str, kept))} are kept" if kept else "none is kept"
            raise StateError(f"no serial {serial} in the state history {self.history_dir}; {span}") from None
        except (OSError, ReadRefused) as exc:
            why = os_reason(exc) if isinstance(exc, OSError) else str(exc)
            raise StateError(f"cannot read state history file {path}: {why}") from None
        return loads_state(data, str(path))

    def history(self) -> list[SerialInfo]:
        """Every kept serial, oldest first (the history directory, and the current file)."""
        found: dict[int, SerialInfo] = {}
        with contextlib.suppress(OSError):
            for entry in self.history_dir.iterdir():
                stem = entry.name.removesuffix(".json")
                if entry.name.endswith(".json") and stem.isdigit() and entry.is_file():
                    found[int(stem)] = SerialInfo(int(stem), "", _mtime(entry))
        if self.path.exists():
            current = self.read()
            found[current.serial] = SerialInfo(current.serial, current.lineage, _mtime(self.path))
        return [found[serial] for serial in sorted(found)]

    def import_history(self, states: Sequence[State]) -> None:
        """Write every state (a migration's source history); the one with the highest serial last."""
        ordered = sorted(states, key=lambda s: s.serial)
        for state in ordered[:-1]:
            self._keep_serial(state.serial, dumps_state(state).encode("utf-8", "backslashreplace"), link=False)
        if ordered:
            self.write(ordered[-1])

    def audit_log(self) -> FileAuditLog:
        return FileAuditLog(self.path.parent / AUDIT_FILE)

    def _keep_serial(self, serial: int, payload: bytes, *, link: bool = True) -> None:
        """history/<serial>.json: a hard link to the file just written, or a copy of payload."""
        target = self.history_dir / f"{serial}.json"
        try:
            self.history_dir.mkdir(exist_ok=True)
            tmp = self.history_dir / f".{serial}.json.{secrets.token_hex(6)}.tmp"
            try:
                if not link:
                    raise OSError(errno.EOPNOTSUPP, "a copy is asked for")
                os.link(self.path, tmp)
            except OSError:
                write_atomic(target, payload, sync_dir=True)
                return
            try:
                os.replace(tmp, target)
            except OSError:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
        except OSError as exc:
            raise os_failure("keep the state history file", target, exc) from None

    def lock(self, info: LockInfo, timeout: float = 0) -> Lock:
        """Take the lock; first make sure every file the state needs can be named here."""
        self._check_name_length()
        return acquire_lock_file(self.lock_path, info, timeout)

    def force_unlock(self, lock_id: str) -> None:
        force_unlock_file(self.lock_path, lock_id)

    def current_lock(self) -> LockInfo | None:
        return read_lock_file(self.lock_path)

    def _restore_hint(self) -> str:
        """How to recover from an unusable state file: the backup when it is sound, else a copy."""
        backup_file = str(self.backup_path)
        try:
            backup = loads_state(read_regular(self.backup_path, limit=STATE_LIMIT), backup_file)
        except FileNotFoundError:
            return (
                f"there is no backup {self.backup_path.name}: restore {self.path.name} from a copy "
                "of your own, or move it aside to start from an empty state (the next apply "
                "then creates every resource again)"
            )
        except (OSError, ReadRefused) as exc:
            why = os_reason(exc) if isinstance(exc, OSError) else str(exc)
            return (
                f"its backup {backup_file} cannot be read either ({why}); restore "
                f"{self.path.name} from a copy of your own"
            )
        except StateError as exc:
            return f"{exc}, too; restore {self.path.name} from a copy of your own"
        return (
            f"the previous state is kept in {self.backup_path} (serial {backup.serial}): "
            f"if no modelspec command is running, restore it with "
            f"`cp {self.backup_path} {self.path}`"
        )

    def _check_name_length(self) -> None:
        """Refuse, before anything is written, a state name too long for its backup's temp files.

        Otherwise the first apply would write state.json and the second fail at
        its first checkpoint, after it trained and deployed, naming the backup.
        """
        longest = len(self.path.name.encode("utf-8", "surrogateescape")) + _DERIVED_EXTRA
        limit = _name_max(self.path.parent)
        if longest > limit:
            reason = os_reason(OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)))
            raise StateError(
                f"state file name {self.path.name!r} is too long for {self.path.parent}: its "
                f"backup's temp files need {longest} characters and the file system allows "
                f"{limit} ({reason}); choose a shorter state.path in modelspec.yaml"
            )

    def _keep_backup(self) -> None:
        """Make state.json.backup the current file, without a moment where either is partial.

        A hard link shares the old file's bytes: once the new state replaces
        state.json, the backup name still holds the old one. Where links are not
        supported, the bytes are copied through a temp file instead.
        """
        tmp = self.path.with_name(f".{self.backup_path.name}.{secrets.token_hex(6)}.tmp")
        try:
            os.link(self.path, tmp)
        except OSError:
            data = read_regular(self.path, limit=STATE_LIMIT)
            write_atomic(self.backup_path, data, sync_dir=True)
            return
        try:
            os.replace(tmp, self.backup_path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


def _mtime(path: Path) -> str:
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return "unknown"
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _name_max(directory: Path) -> int:
    """NAME_MAX of the file system directory is (or will be) on: its nearest existing ancestor's."""
    for candidate in (directory, *directory.parents):
        try:
            return int(os.pathconf(candidate, "PC_NAME_MAX"))
        except (OSError, ValueError):
            continue
    return _DEFAULT_NAME_MAX
