"""The audit log (.modelspec/audit.jsonl): one JSON line per record, an apply's written ahead of it.

An apply appends a `started` record (what it is about to change, under which
lock) before its first effect, and a record with the same id and its outcome
(`ok` or `failed`) after the last. read_audit joins the two into one entry; a
`started` record that nothing completed is an `interrupted` entry: the process
was killed, or the machine stopped, while it ran. Each record carries
`prev_sha256`, the digest of the record before it as stored (null for the
first): a hash chain `modelspec audit verify` checks (state/auditchain.py).
A backend that keeps the log itself (PostgreSQL) is an AuditLog; otherwise it
is this file beside the state.
"""

from __future__ import annotations

import errno
import hashlib
import os
import socket
import stat
import subprocess
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from modelspec import jsonio
from modelspec.state.lock import current_user, utc_now
from modelspec.state.model import StateError
from modelspec.state.readback import AUDIT_LIMIT, os_failure, read_file

__all__ = [
    "AUDIT_FILE",
    "CHAIN_FIELD",
    "AuditEntry",
    "AuditLog",
    "FileAuditLog",
    "KeepsAudit",
    "append_audit",
    "audit_line",
    "audit_log_for",
    "audit_record",
    "git_commit",
    "line_digest",
    "read_audit",
    "read_audit_records",
    "start_audit",
]

AUDIT_FILE = "audit.jsonl"
STARTED, INTERRUPTED = "started", "interrupted"
CHAIN_FIELD = "prev_sha256"
_GIT_TIMEOUT_SECONDS = 2.0
_TAIL_CHUNK = 64 * 1024


class AuditLog(Protocol):
    """Where audit records are kept, append-only, each chained to the one before it."""

    @property
    def where(self) -> str:
        """The log's name in messages: a file, or a database table."""
        ...

    def append(self, record: Mapping[str, Any]) -> None:
        """Append record with its prev_sha256; a StateError when it cannot be stored whole."""
        ...

    def lines(self) -> list[bytes]:
        """Every record as stored (one JSON text each, no newline), oldest first."""
        ...

    def extend(self, lines: Sequence[bytes]) -> None:
        """Append records exactly as stored elsewhere (a migration keeps their chain)."""
        ...


@runtime_checkable
class KeepsAudit(Protocol):
    """A state backend that keeps the audit log itself."""

    def audit_log(self) -> AuditLog: ...


@dataclass(frozen=True)
class FileAuditLog:
    """The audit log as a file of JSON lines (.modelspec/audit.jsonl)."""

    path: Path

    @property
    def where(self) -> str:
        return str(self.path)

    def append(self, record: Mapping[str, Any]) -> None:
        append_audit(self.path, record)

    def lines(self) -> list[bytes]:
        fix = "move the log aside (for example to audit.jsonl.1) to start a new one"
        data = read_file(self.path, "audit log", limit=AUDIT_LIMIT, fix=fix)
        return [line for line in (data or b"").split(b"\n") if line.strip()]

    def extend(self, lines: Sequence[bytes]) -> None:
        _append_bytes(self.path, b"".join(line + b"\n" for line in lines))


def audit_log_for(work_dir: Path, backend: object) -> AuditLog:
    """The backend's own log when it keeps one, else the file in work_dir (.modelspec/)."""
    if isinstance(backend, KeepsAudit):
        return backend.audit_log()
    return FileAuditLog(work_dir / AUDIT_FILE)


def line_digest(line: bytes) -> str:
    """The chain's digest of one stored record: sha256 of its bytes."""
    return "sha256:" + hashlib.sha256(line).hexdigest()


def audit_line(record: Mapping[str, Any], previous: bytes | None) -> bytes:
    """record as one stored JSON text (sorted keys, UTF-8) chained to the previous stored one.

    Non-finite numbers are written as null, so every record reads back; a lone
    surrogate is written as its JSON escape, which reads back the same.
    """
    chained = {**record, CHAIN_FIELD: line_digest(previous) if previous is not None else None}
    text = jsonio.dumps(jsonio.finite(chained), sort_keys=True, ensure_ascii=False, default=str)
    return text.encode("utf-8", "backslashreplace")


def append_audit(path: Path, record: Mapping[str, Any]) -> None:
    """Append record, chained to the log's last line, as one line in one O_APPEND write, then fsync.

    A write cut short (a full disk) is undone, so the log never holds half a
    line; any OSError is a StateError naming the log and the reason.
    """
    _append_bytes(path, None, record)


def _append_bytes(
    path: Path, payload: bytes | None, record: Mapping[str, Any] | None = None
) -> None:
    """Append payload, or record chained to the last line, to the log at path in one write."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_NONBLOCK: a FIFO in the log's place fails here instead of waiting for a reader
        fd = os.open(
            path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK, 0o644
        )
    except OSError as exc:
        raise os_failure("append to the audit log", path, exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StateError(
                f"cannot append to the audit log {path}: it is not a regular file; move it aside"
            )
        if payload is None:
            payload = audit_line(record or {}, _last_line(fd, info.st_size)) + b"\n"
        # one write call: appends from other processes never interleave within a record
        written = os.write(fd, payload)
        if written != len(payload):  # only apply appends, under the state lock: nobody else
            os.ftruncate(fd, info.st_size)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)
    except OSError as exc:
        raise os_failure("append to the audit log", path, exc) from None
    finally:
        os.close(fd)


def _last_line(fd: int, size: int) -> bytes | None:
    """The log's last non-blank line (as FileAuditLog.lines splits it); None when there is none."""
    tail, end = b"", size
    while end > 0:
        start = max(0, end - _TAIL_CHUNK)
        tail = os.pread(fd, end - start, start) + tail
        end = start
        pieces = tail.split(b"\n")
        whole = pieces if start == 0 else pieces[1:]  # the first piece may be cut
        for line in reversed(whole):
            if line.strip():
                return line
    return None


def audit_record(
    command: str,
    summary: dict[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
    root: Path | None = None,
) -> dict[str, Any]:
    """A record naming when, who, where and at which git commit a command ran.

    root is the project root the commit is read from (the working directory when
    left out). extra adds top-level fields; it may not overwrite the standard ones.
    """
    record: dict[str, Any] = {
        "time": utc_now(),
        "user": current_user(),
        "host": socket.gethostname(),
        "command": command,
        "git_commit": git_commit(root if root is not None else Path.cwd()),
        "summary": summary,
    }
    for key, value in (extra or {}).items():
        if key in record:
            raise ValueError(f"audit field {key!r} is set by audit_record itself")
        record[key] = value
    return record


@dataclass(frozen=True)
class AuditEntry:
    """An entry whose `started` record is in the log; finish appends its outcome."""

    log: AuditLog
    id: str
    command: str

    def finish(self, status: str, fields: Mapping[str, Any] | None = None) -> None:
        """Append the record that completes this entry: the same id, its status, when it ended."""
        self.log.append(
            {
                **(fields or {}),
                "id": self.id,
                "command": self.command,
                "status": status,
                "time": utc_now(),
            },
        )


def start_audit(log: AuditLog | Path, record: Mapping[str, Any]) -> AuditEntry:
    """Append record (from audit_record) as a `started` record, before the command's first effect."""
    target = FileAuditLog(log) if isinstance(log, Path) else log
    entry = AuditEntry(target, str(uuid.uuid4()), str(record.get("command", "")))
    target.append({**record, "id": entry.id, "status": STARTED})
    return entry


def git_commit(root: Path) -> str | None:
    """HEAD's commit in the git repository at root, or None when there is none to ask."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None


def read_audit(log: AuditLog | Path) -> list[dict[str, Any]]:
    """Every entry in the log, oldest first; [] when there is no log yet.

    An apply's `started` record and the record that completes it (the same id)
    are one entry: the started record's fields, then the outcome's, with
    `started_at` the time it started. A started record nothing completed is an
    entry whose status is `interrupted`. The chain field is left out.
    """
    entries: list[dict[str, Any]] = []
    started: dict[str, int] = {}  # id -> index in entries of an entry not completed yet
    for raw in read_audit_records(log):
        record = {k: v for k, v in raw.items() if k != CHAIN_FIELD}
        entry_id = record.get("id")
        if isinstance(entry_id, str) and record.get("status") == STARTED:
            started[entry_id] = len(entries)
            entries.append({**record, "status": INTERRUPTED, "started_at": record.get("time")})
        elif isinstance(entry_id, str) and entry_id in started:
            index = started.pop(entry_id)
            entries[index] = {**entries[index], **record}
        else:
            entries.append(record)
    return entries


def read_audit_records(log: AuditLog | Path) -> list[dict[str, Any]]:
    """Every record of the log as it was written, oldest first; [] when there is no log yet."""
    target = FileAuditLog(log) if isinstance(log, Path) else log
    fix = "move the log aside (for example to audit.jsonl.1) to start a new one"
    if not isinstance(target, FileAuditLog):
        fix = "`modelspec audit verify` reports where the log was changed"
    records: list[dict[str, Any]] = []
    for number, line in enumerate(target.lines(), start=1):
        try:
            record = jsonio.loads(line)
        except jsonio.JsonRefused as exc:
            why = str(exc)
            raise StateError(
                f"audit log {target.where}:{number} is "
                f"{why if why.startswith('not ') else 'refused: ' + why}; "
                f"repair that line by hand, or {fix}"
            ) from None
        if not isinstance(record, dict):
            raise StateError(
                f"audit log {target.where}:{number} is not a JSON object; repair that line by "
                f"hand, or {fix}"
            )
        records.append(record)
    return records
