"""The one way modelspec writes and removes files: atomically, and only what it means to."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "FileTooLarge",
    "NotRegularFile",
    "ReadRefused",
    "disk_digests",
    "read_regular",
    "remove_file",
    "write_atomic",
]

_CHUNK = 1 << 20


class ReadRefused(ValueError):
    """A file modelspec will not read: not a regular file, or over its size limit."""


class NotRegularFile(ReadRefused):
    """A FIFO, a device, a directory or a socket where a file was expected."""


class FileTooLarge(ReadRefused):
    """A file over the size limit for what it holds."""


def read_regular(path: Path, *, limit: int) -> bytes:
    """The bytes of a regular file of at most limit bytes; ReadRefused or OSError otherwise.

    Opening never blocks (a FIFO named like a spec would wait for a writer
    forever) and anything but a regular file is refused before a byte is read
    (a symlink to /dev/zero would be read until memory runs out). The limit
    holds while reading too, for a file that grows after its size was checked.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"not a regular file (it is {_kind(info.st_mode)})")
        if info.st_size > limit:
            raise FileTooLarge(f"file is {info.st_size:,} bytes, over the {limit:,}-byte limit")
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(_CHUNK, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise FileTooLarge(f"file grew past the {limit:,}-byte limit while it was read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


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
