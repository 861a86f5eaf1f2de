"""The one way modelspec writes and removes files: atomically, and only what it means to."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

from modelspec.paths import PathRefused, inside

__all__ = [
    "GENERATED_FILE_LIMIT",
    "Contained",
    "FileTooLarge",
    "NotRegularFile",
    "ReadRefused",
    "disk_digests",
    "generated_target",
    "os_reason",
    "read_regular",
    "remove_file",
    "write_atomic",
]

_CHUNK = 1 << 20
GENERATED_FILE_LIMIT = 64 << 20  # a rendered manifest or card is kilobytes


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
    try:  # never more than content's length: a FIFO or /dev/zero in its place is "different"
        if read_regular(target, limit=len(content)) == content:
            return
    except (OSError, ReadRefused):
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


def os_reason(exc: OSError) -> str:
    """An OSError's reason with its errno name, "No space left on device (ENOSPC)", for a
    message that names the file itself."""
    name = errno.errorcode.get(exc.errno) if isinstance(exc.errno, int) else None
    text = exc.strerror or str(exc) or type(exc).__name__
    return f"{text} ({name})" if name else text


class Contained:
    """Which paths below root stay inside it with every symlink followed: one lstat a directory.

    A directory below root that is not a symlink resolves inside root when its
    parent does; only a symlink (or a `..`) is resolved in full, with
    paths.inside. The answers are kept, so keep one instance for one pass over
    many paths (a plan's digests, an apply's up-front check), not across effects.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.base = root.resolve()
        self._depth = len(root.parts)
        self._known: dict[Path, bool] = {root: True}
        self.absent: set[Path] = set()  # inside, and not there (nor anything below them)

    def directory(self, directory: Path) -> bool:
        """Whether directory, below root or root itself, resolves inside root."""
        known = self._known.get(directory)
        if known is not None:
            return known
        if directory.name in ("", ".", "..") or len(directory.parts) <= self._depth:
            answer = inside(directory, (self.base,))
        elif not self.directory(directory.parent):
            answer = False
        elif directory.parent in self.absent:
            answer = True
            self.absent.add(directory)
        else:
            try:
                is_link = stat.S_ISLNK(os.lstat(directory).st_mode)
            except FileNotFoundError:  # made by mkdir inside a parent that is inside
                is_link = False
                self.absent.add(directory)
            except OSError:
                is_link = True  # resolve it in full and let that decide
            answer = not is_link or inside(directory, (self.base,))
        self._known[directory] = answer
        return answer

    def target(self, path: str, *, action: str = "write") -> Path:
        """root / path when its directory resolves inside root; else PathRefused, saying where."""
        target = self.root / path
        if not self.directory(target.parent):
            try:
                where = str(target.parent.resolve())
            except (OSError, RuntimeError, ValueError):
                where = "a path that cannot be resolved"
            raise PathRefused(
                f"refusing to {action} {path} in {self.root}: its directory resolves to "
                f"{where}, outside {self.base}; remove the symlink that leads out of it"
            )
        return target


def generated_target(root: Path, path: str, *, action: str = "write") -> Path:
    """root / path, once its directory, every symlink followed, is inside root; else PathRefused.

    The one check before any generated file is written or removed: a symlinked
    directory inside generated/ would otherwise take the write (or the delete)
    outside it. The file itself may be a symlink: os.replace and unlink act on
    the link, never on what it points at. action ("write", "delete") is for the
    message. Checked afresh on every call, right before the effect.
    """
    return Contained(root).target(path, action=action)


def remove_file(root: Path, path: str) -> None:
    """Remove a generated file and the directories it leaves empty, up to root.

    PathRefused, before anything is removed, when its directory leads outside root.
    """
    target = generated_target(root, path, action="delete")
    target.unlink(missing_ok=True)
    parent = target.parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:  # not empty, or already gone
            break
        parent = parent.parent


def disk_digests(root: Path, paths: Sequence[str]) -> dict[str, str | None]:
    """The sha256 digest of each file under root as it is on disk.

    None when it is missing or unreadable, is not a regular file within GENERATED_FILE_LIMIT,
    or resolves outside root (a symlink out of generated/ is never read): plan
    shows such a file as drift and apply refuses what would leave root.
    """
    out: dict[str, str | None] = {}
    contained = Contained(root)
    for path in sorted(set(paths)):
        target = root / path
        if (
            not contained.directory(target.parent)
            or target.parent in contained.absent
            or (os.path.islink(target) and not inside(target, (contained.base,)))
        ):
            out[path] = None
            continue
        try:
            data = read_regular(target, limit=GENERATED_FILE_LIMIT)
        except (OSError, ReadRefused):  # missing, or unreadable: either way not what was written
            out[path] = None
        else:
            out[path] = "sha256:" + hashlib.sha256(data).hexdigest()
    return out
