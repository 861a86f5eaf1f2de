"""The audit log (.modelspec/audit.jsonl): one JSON line per record, an apply's written ahead of it.

An apply appends a `started` record (what it is about to change, under which
lock) before its first effect, and a record with the same id and its outcome
(`ok` or `failed`) after the last. read_audit joins the two into one entry; a
`started` record that nothing completed is an `interrupted` entry: the process
was killed, or the machine stopped, while it ran.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelspec import jsonio
from modelspec.state.lock import current_user, utc_now
from modelspec.state.model import StateError
from modelspec.state.readback import AUDIT_LIMIT, os_failure, read_file

__all__ = [
    "AUDIT_FILE",
    "AuditEntry",
    "append_audit",
    "audit_record",
    "git_commit",
    "read_audit",
    "read_audit_records",
    "start_audit",
]

AUDIT_FILE = "audit.jsonl"
STARTED, INTERRUPTED = "started", "interrupted"
_GIT_TIMEOUT_SECONDS = 2.0


def append_audit(path: Path, record: Mapping[str, Any]) -> None:
    """Append record as one line with sorted keys, in one O_APPEND write, then fsync.

    A write cut short (a full disk) is undone, so the log never holds half a
    line; any OSError is a StateError naming the log and the reason. Non-finite
    numbers are written as null, so every line reads back.
    """
    line = jsonio.dumps(
        jsonio.finite(dict(record)), sort_keys=True, ensure_ascii=False, default=str
    )
    # backslashreplace writes a lone surrogate as its JSON escape, which reads back the same
    payload = (line + "\n").encode("utf-8", "backslashreplace")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_NONBLOCK: a FIFO in the log's place fails here instead of waiting for a reader
        fd = os.open(
            path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK, 0o644
        )
    except OSError as exc:
        raise os_failure("append to the audit log", path, exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StateError(
                f"cannot append to the audit log {path}: it is not a regular file; move it aside"
            )
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

    path: Path
    id: str
    command: str

    def finish(self, status: str, fields: Mapping[str, Any] | None = None) -> None:
        """Append the record that completes this entry: the same id, its status, when it ended."""
        append_audit(
            self.path,
            {
                **(fields or {}),
                "id": self.id,
                "command": self.command,
                "status": status,
                "time": utc_now(),
            },
        )


def start_audit(path: Path, record: Mapping[str, Any]) -> AuditEntry:
    """Append record (from audit_record) as a `started` record, before the command's first effect."""
    entry = AuditEntry(path, str(uuid.uuid4()), str(record.get("command", "")))
    append_audit(path, {**record, "id": entry.id, "status": STARTED})
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


def read_audit(path: Path) -> list[dict[str, Any]]:
    """Every entry in the log, oldest first; [] when there is no log yet.

    An apply's `started` record and the record that completes it (the same id)
    are one entry: the started record's fields, then the outcome's, with
    `started_at` the time it started. A started record nothing completed is an
    entry whose status is `interrupted`.
    """
    entries: list[dict[str, Any]] = []
    started: dict[str, int] = {}  # id -> index in entries of an entry not completed yet
    for record in read_audit_records(path):
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


def read_audit_records(path: Path) -> list[dict[str, Any]]:
    """Every line of the log as it was written, oldest first; [] when there is no log yet."""
    fix = "move the log aside (for example to audit.jsonl.1) to start a new one"
    data = read_file(path, "audit log", limit=AUDIT_LIMIT, fix=fix)
    if data is None:
        return []
    records: list[dict[str, Any]] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = jsonio.loads(line)
        except jsonio.JsonRefused as exc:
            why = str(exc)
            raise StateError(
                f"audit log {path}:{number} is {why if why.startswith('not ') else 'refused: ' + why}; "
                f"repair that line by hand, or {fix}"
            ) from None
        if not isinstance(record, dict):
            raise StateError(
                f"audit log {path}:{number} is not a JSON object; repair that line by hand, or {fix}"
            )
        records.append(record)
    return records
