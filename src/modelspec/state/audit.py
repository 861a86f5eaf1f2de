"""The audit log (.modelspec/audit.jsonl): one JSON line per writing command, waiver or override."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path
from typing import Any

from modelspec.state.lock import current_user, utc_now
from modelspec.state.model import StateError

__all__ = ["append_audit", "audit_record", "git_commit", "read_audit"]

_GIT_TIMEOUT_SECONDS = 2.0


def append_audit(path: Path, record: dict[str, Any]) -> None:
    """Append record as one line with sorted keys, in one O_APPEND write, then fsync."""
    line = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    payload = (line + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        # one write call: appends from other processes never interleave within a record
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)


def audit_record(
    command: str,
    summary: dict[str, Any],
    *,
    extra: dict[str, Any] | None = None,
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
    """Every record in the log, oldest first; [] when there is no log yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"cannot read audit log {path}: {exc}") from None
    records: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise StateError(f"audit log {path}:{number} is not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise StateError(f"audit log {path}:{number} is not a JSON object")
        records.append(record)
    return records
