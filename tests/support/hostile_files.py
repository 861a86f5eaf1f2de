"""Hostile stand-ins for files modelspec reads back: bad JSON, FIFOs, devices, huge files.

plant(path, kind) puts one in place; EXPECTED[kind] is a fragment of the message
that must name what is wrong with it. A "device" is a /dev/zero node made in
place (mknod, as root), else a symlink to /dev/zero.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["EXPECTED", "JSON_KINDS", "KINDS", "SPECIAL_KINDS", "plant"]

_JSON: dict[str, bytes] = {
    "deep": b"[" * 20_000 + b"]" * 20_000,  # under the lock file's 64 KiB limit
    "huge-int": b'{"serial": ' + b"7" * 4301 + b"}",
    "nan": b'{"format_version": 1, "serial": NaN}',
    "infinity": b'{"format_version": 1, "serial": -Infinity}',
    "not-utf8": b'{"format_version": 1, "lineage": "\xff\xfe"}',
}

EXPECTED: dict[str, str] = {
    "deep": "nested more than 100 levels deep",
    "huge-int": "an integer of 4,301 digits is too large",
    "nan": "NaN is not a JSON number",
    "infinity": "-Infinity is not a JSON number",
    "not-utf8": "not UTF-8 text",
    "fifo": "not a regular file (it is a named pipe)",
    "device": "not a regular file (it is a character device)",
    "huge": "-byte limit",
}

JSON_KINDS = tuple(_JSON)
SPECIAL_KINDS = ("fifo", "device", "huge")
KINDS = JSON_KINDS + SPECIAL_KINDS

_HUGE = 1 << 30  # sparse: over every read-back limit, and no disk space used


def plant(path: Path, kind: str) -> None:
    """Put a hostile file of this kind at path (replacing what is there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    if kind in _JSON:
        path.write_bytes(_JSON[kind])
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":  # a /dev/zero node in place where allowed, else a link to it
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 5))
        except PermissionError:
            path.symlink_to("/dev/zero")
    elif kind == "huge":
        with path.open("wb") as handle:
            handle.truncate(_HUGE)
    else:
        raise ValueError(f"unknown hostile kind {kind!r}")
