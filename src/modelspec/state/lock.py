"""State locks that name their holder: LockInfo, the lock errors, and the lock file."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

from modelspec import clock
from modelspec.state.model import StateError

__all__ = [
    "Lock",
    "LockIdMismatch",
    "LockInfo",
    "NotLocked",
    "StateLocked",
    "acquire_lock_file",
    "current_user",
    "force_unlock_file",
    "is_stale",
    "read_lock_file",
    "utc_now",
]

_POLL_SECONDS = 0.05


def utc_now() -> str:
    """The current time as ISO-8601 UTC, to the second: 2026-11-27T16:55:18Z."""
    return clock.utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no USER variable, as in some containers
        return "unknown"


@dataclass(frozen=True)
class LockInfo:
    """Who holds a lock: enough for another user to find the process or decide to break it."""

    id: str
    user: str
    host: str
    pid: int
    command: str
    created: str  # ISO-8601 UTC

    @classmethod
    def new(cls, command: str) -> LockInfo:
        return cls(
            id=str(uuid.uuid4()),
            user=current_user(),
            host=socket.gethostname(),
            pid=os.getpid(),
            command=command,
            created=utc_now(),
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LockInfo:
        """Parse a lock file; ValueError when it is not a complete LockInfo."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        fields = {"id": str, "user": str, "host": str, "pid": int, "command": str, "created": str}
        for key, kind in fields.items():
            if not isinstance(data.get(key), kind):
                raise ValueError(f"{key} is missing or not a {kind.__name__}")
        return cls(**{key: data[key] for key in fields})

    def describe(self) -> str:
        return (
            f"lock {self.id} held by {self.user} on host {self.host} "
            f"(pid {self.pid}, `{self.command}`, since {self.created})"
        )


class StateLocked(StateError):
    """Another command holds the state lock."""

    def __init__(self, holder: LockInfo, stale: bool) -> None:
        self.holder = holder
        self.stale = stale
        staleness = f" (stale: process {holder.pid} on this host is gone)" if stale else ""
        super().__init__(
            f"the state is locked: {holder.describe()}{staleness}; if no other modelspec "
            f"command is running, remove the lock with `modelspec force-unlock {holder.id}`"
        )


class NotLocked(StateError):
    """force-unlock was asked for while no lock is held."""

    def __init__(self, lock_id: str) -> None:
        self.lock_id = lock_id
        super().__init__(f"cannot remove lock {lock_id}: the state is not locked")


class LockIdMismatch(StateError):
    """force-unlock was given an id other than the holder's."""

    def __init__(self, given: str, holder: LockInfo) -> None:
        self.given = given
        self.holder = holder
        super().__init__(
            f"lock id {given} does not match the current lock: {holder.describe()}; "
            f"pass that id to force-unlock it"
        )


def is_stale(info: LockInfo) -> bool:
    """True when the holder ran on this host and its process is gone."""
    if info.host != socket.gethostname() or info.pid <= 0:
        return False
    if info.pid == os.getpid():
        return False
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


class Lock:
    """A held lock; leaving the `with` block (or calling release) lets it go once."""

    def __init__(self, info: LockInfo, release: Callable[[], None]) -> None:
        self.info = info
        self._release = release
        self._released = False

    @property
    def id(self) -> str:
        return self.info.id

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._release()

    def __enter__(self) -> Lock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def acquire_lock_file(path: Path, info: LockInfo, timeout: float = 0) -> Lock:
    """Create the lock file holding info, retrying until timeout seconds have passed.

    O_CREAT|O_EXCL makes creation atomic: of two processes, exactly one gets the file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    payload = (info.to_json() + "\n").encode("utf-8")
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = read_lock_file(path)
            if holder is None:  # released between our attempt and the read: try again at once
                continue
            if time.monotonic() >= deadline:
                raise StateLocked(holder, is_stale(holder)) from None
            time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
            continue
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        return Lock(info, lambda: _release_lock_file(path, info.id))


def read_lock_file(path: Path) -> LockInfo | None:
    """The holder named in the lock file, or None when there is no lock.

    A lock file is empty for an instant after its creation, so an incomplete one
    is read again briefly before it is reported as unreadable.
    """
    last_error = ""
    for _ in range(20):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateError(f"cannot read lock file {path}: {exc.strerror or exc}") from None
        try:
            return LockInfo.from_json(text)
        except (ValueError, TypeError) as exc:
            last_error = str(exc)
        time.sleep(0.01)
    raise StateError(
        f"lock file {path} is unreadable ({last_error}); if no modelspec command is "
        f"running, delete that file"
    )


def force_unlock_file(path: Path, lock_id: str) -> None:
    """Remove the lock file if it holds lock_id; otherwise say whose lock it is."""
    holder = read_lock_file(path)
    if holder is None:
        raise NotLocked(lock_id)
    if holder.id != lock_id:
        raise LockIdMismatch(lock_id, holder)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _release_lock_file(path: Path, lock_id: str) -> None:
    try:
        holder = read_lock_file(path)
    except StateError:
        return
    if holder is not None and holder.id == lock_id:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
