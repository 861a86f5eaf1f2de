"""The one way modelspec writes and removes files: atomically, and only what it means to."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

__all__ = ["disk_digests", "remove_file", "write_atomic"]


def write_atomic(
    target: Path, content: bytes, *, keep_mode: bool = False, sync_dir: bool = False
) -> None:
    """Write through a temp file in the same directory, fsync, then rename over the target.

    Unchanged content is not rewritten. A new file's mode is left to the umask,
    as for any file the user writes (mkstemp would make every generated file
    0600); keep_mode gives the new file the mode the target had (fmt rewrites a
    user's own spec files). sync_dir also fsyncs the directory, so the rename
    itself survives a power cut (the state file).
    """
    try:
        if target.read_bytes() == content:
            return
    except OSError:
        pass
    mode = None
    if keep_mode:
        try:
            mode = target.stat().st_mode & 0o7777
        except OSError:
            mode = None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sync_dir:
        _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not possible on every platform; the rename itself is still atomic
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def remove_file(root: Path, path: str) -> None:
    """Remove a generated file and the directories it leaves empty, up to root."""
    target = root / path
    target.unlink(missing_ok=True)
    parent = target.parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:  # not empty, or already gone
            break
        parent = parent.parent


def disk_digests(root: Path, paths: Sequence[str]) -> dict[str, str | None]:
    """The sha256 digest of each file under root as it is on disk; None when it is missing."""
    out: dict[str, str | None] = {}
    for path in sorted(set(paths)):
        try:
            data = (root / path).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            out[path] = None
        else:
            out[path] = "sha256:" + hashlib.sha256(data).hexdigest()
    return out
