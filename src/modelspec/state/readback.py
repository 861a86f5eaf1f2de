"""Reading back the files modelspec keeps (state, lock, audit log, triggers), bounded and clear.

Each file is read with files.read_regular under the size limit of its kind
and parsed with jsonio.loads, so a FIFO, a device, a huge or deeply nested
file, a 4,301-digit integer, NaN or bytes that are not UTF-8 are a StateError
that names the file and says how to fix it, never a hang or a traceback.
The limits are documented in docs/plan-and-apply.md ("Files modelspec reads back").
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

from modelspec import jsonio
from modelspec.files import ReadRefused, os_reason, read_regular
from modelspec.state.model import StateError

__all__ = [
    "AUDIT_LIMIT",
    "LOCK_LIMIT",
    "STATE_LIMIT",
    "TRIGGERS_LIMIT",
    "os_failure",
    "parse_json",
    "read_file",
]

_MIB = 1 << 20
STATE_LIMIT = 256 * _MIB  # about 2 KB a resource: 10,000 resources are some 20 MB
AUDIT_LIMIT = 256 * _MIB  # one line per apply; past this, start a new log
TRIGGERS_LIMIT = 16 * _MIB  # one small record per model or deployment
LOCK_LIMIT = 64 * 1024  # a LockInfo is some 250 bytes

_FIXES: dict[int, str] = {
    errno.ENOSPC: "free some space on that file system",
    errno.EDQUOT: "free some space within your disk quota",
    errno.EROFS: "the file system is mounted read-only: run modelspec where it can write",
    errno.EACCES: "make that directory writable for this user",
    errno.EPERM: "make that directory writable for this user",
    errno.ENAMETOOLONG: "choose a shorter state.path in modelspec.yaml",
    errno.ENOTDIR: "a file stands where a directory is expected: move it aside",
}


def read_file(path: Path, what: str, *, limit: int, fix: str) -> bytes | None:
    """The bytes of path (None when it does not exist); else a StateError naming it and the fix."""
    try:
        return read_regular(path, limit=limit)
    except FileNotFoundError:
        return None
    except ReadRefused as exc:
        raise StateError(f"cannot read {what} {path}: {exc}; {fix}") from None
    except OSError as exc:
        raise StateError(f"cannot read {what} {path}: {os_reason(exc)}; {fix}") from None


def parse_json(data: bytes | str, what: str, path: Path | str, *, fix: str) -> Any:
    """data parsed by jsonio.loads; a StateError "<what> <path> is corrupt: <why>; <fix>" otherwise."""
    try:
        return jsonio.loads(data)
    except jsonio.JsonRefused as exc:
        raise StateError(f"{what} {path} is corrupt: {exc}; {fix}") from None


def os_failure(doing: str, path: Path | str, exc: OSError) -> StateError:
    """The StateError for an OSError while doing something to path: the file, errno and fix."""
    fix = _FIXES.get(exc.errno or 0)
    return StateError(f"cannot {doing} {path}: {os_reason(exc)}" + (f"; {fix}" if fix else ""))
