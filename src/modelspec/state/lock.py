"""State locks that name their holder: LockInfo, the lock errors, and the lock file."""

from __future__ import annotations

import contextlib
import errno
import getpass
import hashlib
import json
import os
import secrets
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

from modelspec import clock, jsonio
from modelspec.files import ReadRefused, os_reason, read_regular
from modelspec.state.model import StateError
from modelspec.state.readback import LOCK_LIMIT, os_failure

__all__ = [
    "Lock",
    "LockIdMismatch",
    "LockInfo",
    "NotLocked",
    "StateLocked",
    "UnreadableLock",
    "acquire_lock_file",
    "current_user",
    "force_unlock_file",
    "is_stale",
    "read_lock_file",
    "utc_now",
]

_POLL_SECONDS = 0.05
PID_MAX = 2**31 - 1  # pid_t is a C int: os.kill raises OverflowError past it
# link(2) fails so where the file system has no hard links: create the file in place instead
_NO_LINKS = frozenset(
    {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}
)


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
    def from_json(cls, text: str | bytes) -> LockInfo:
        """Parse a lock file with jsonio.loads; ValueError when it is not a complete LockInfo."""
        data = jsonio.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        fields = {"id": str, "user": str, "host": str, "pid": int, "command": str, "created": str}
        for key, kind in fields.items():
            value = data.get(key)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(f"{key} is missing or not a {kind.__name__}")
        if not 0 < data["pid"] <= PID_MAX:
            raise ValueError(f"pid {data['pid']} is not a process id (1 to {PID_MAX})")
        return cls(**{key: data[key] for key in fields})

    def answers_to(self, lock_id: str) -> bool:
        """Whether force-unlock lock_id means this lock."""
        return lock_id == self.id

    def describe(self) -> str:
        return (
            f"lock {self.id} held by {self.user} on host {self.host} "
            f"(pid {self.pid}, `{self.command}`, since {self.created})"
        )


@dataclass(frozen=True)
class UnreadableLock(LockInfo):
    """A lock file that names no holder modelspec can read: still a lock, removable by its id.

    The id, `unreadable-<16 hex>`, is drawn from the file's bytes, so
    force-unlock with it removes this file and never a lock taken since. An id
    the file itself names (a JSON object with a string "id") is accepted too.
    """

    path: str = ""
    problem: str = ""
    named_id: str = ""

    @classmethod
    def of(cls, path: Path, data: bytes, problem: str) -> UnreadableLock:
        digest = hashlib.sha256(data).hexdigest()[:16]
        named = ""
        with contextlib.suppress(ValueError):
            parsed = jsonio.loads(data)
            if isinstance(parsed, dict) and isinstance(parsed.get("id"), str):
                named = parsed["id"]
        return cls(
            id=f"unreadable-{digest}",
            user="unknown",
            host="unknown",
            pid=0,
            command="unknown",
            created="unknown",
            path=str(path),
            problem=problem,
            named_id=named,
        )

    def answers_to(self, lock_id: str) -> bool:
        return lock_id == self.id or (bool(self.named_id) and lock_id == self.named_id)

    def describe(self) -> str:
        return f"unreadable lock {self.id} (the lock file {self.path} {self.problem})"


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
    if info.host != socket.gethostname() or not 0 < info.pid <= PID_MAX:
        return False
    if info.pid == os.getpid():
        return False
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):  # alive, another user's; or unknowable
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
    """Publish the lock file holding info, retrying until timeout seconds have passed.

    The content is written and fsynced to a temp file first, then hard-linked
    to the lock's name: link(2) fails when the name exists, so of two processes
    exactly one gets the lock, and a write that fails (ENOSPC, EROFS) leaves no
    lock file behind, only nothing. A lock file that cannot be read is refused
    at once: it never turns into a readable one.
    """
    payload = (info.to_json() + "\n").encode("utf-8")
    deadline = time.monotonic() + timeout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = _stage(path, payload)
    except OSError as exc:
        raise os_failure("take the state lock", path, exc) from None
    try:
        while True:
            try:
                os.link(staged, path)
            except FileExistsError:
                _wait_for_holder(path, deadline)
                continue
            except OSError as exc:
                if exc.errno not in _NO_LINKS:
                    raise os_failure("take the state lock", path, exc) from None
                _create_in_place(path, payload, info, deadline)
            return Lock(info, lambda: _release_lock_file(path, info.id))
    finally:
        with contextlib.suppress(OSError):
            staged.unlink()


def _wait_for_holder(path: Path, deadline: float) -> None:
    """Another command holds the lock: return when it is worth trying again, or refuse.

    A lock released between our attempt and this read is tried again at once;
    an unreadable one is refused at once (waiting cannot make it readable).
    """
    holder = read_lock_file(path)
    if holder is None:
        return
    if isinstance(holder, UnreadableLock) or time.monotonic() >= deadline:
        raise StateLocked(holder, is_stale(holder)) from None
    time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def _stage(path: Path, payload: bytes) -> Path:
    """payload in a new temp file beside path, fsynced; removed again when writing it fails."""
    staged = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        _write_all(fd, payload)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            staged.unlink()
        raise
    os.close(fd)
    return staged


def _create_in_place(path: Path, payload: bytes, info: LockInfo, deadline: float) -> None:
    """The lock without hard links: O_CREAT|O_EXCL on its name, removed again if the write fails."""
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileExistsError:
            _wait_for_holder(path, deadline)
            continue
        except OSError as exc:
            raise os_failure("take the state lock", path, exc) from None
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                path.unlink()
            raise os_failure("take the state lock", path, exc) from None
        finally:
            os.close(fd)
        return


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def read_lock_file(path: Path) -> LockInfo | None:
    """The holder named in the lock file, or None when there is no lock.

    A file that is not a lock modelspec wrote (not JSON, not UTF-8, a pid no
    process can have, a FIFO, too large) is an UnreadableLock, which
    force-unlock removes by its id. Only where the file system has no hard
    links is a lock file empty for an instant, so an empty one is read again
    briefly first.
    """
    for attempt in range(20):
        try:
            data = read_regular(path, limit=LOCK_LIMIT)
        except FileNotFoundError:
            return None
        except ReadRefused as exc:
            return UnreadableLock.of(path, b"", f"cannot be read: {exc}")
        except OSError as exc:
            raise StateError(
                f"cannot read lock file {path}: {os_reason(exc)}; if no modelspec command "
                "is running, delete that file"
            ) from None
        if data or attempt == 19:
            break
        time.sleep(0.01)
    if not data:
        return UnreadableLock.of(
            path, data, "is empty: a command that died taking the lock left it"
        )
    try:
        return LockInfo.from_json(data)
    except (ValueError, TypeError) as exc:
        return UnreadableLock.of(path, data, f"is not a lock modelspec wrote: {exc}")


def force_unlock_file(path: Path, lock_id: str) -> None:
    """Remove the lock file if it holds lock_id; otherwise say whose lock it is."""
    holder = read_lock_file(path)
    if holder is None:
        raise NotLocked(lock_id)
    if not holder.answers_to(lock_id):
        raise LockIdMismatch(lock_id, holder)
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise os_failure("remove lock file", path, exc) from None


def _release_lock_file(path: Path, lock_id: str) -> None:
    try:
        holder = read_lock_file(path)
    except StateError:
        return
    if holder is not None and holder.id == lock_id:
        with contextlib.suppress(OSError):
            path.unlink()
