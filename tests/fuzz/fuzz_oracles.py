"""The fuzzer's oracles: writes outside the project (audit hook), deadlines, tree digests, output checks."""

from __future__ import annotations

import faulthandler
import hashlib
import json
import os
import re
import signal
import stat
import sys
import threading
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TextIO

import fuzz_values as V

# -- writes outside the project ------------------------------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
# event -> (index of the written path, index of its dir_fd or None, does the write follow a final symlink)
_PATH_EVENTS: dict[str, tuple[int, int | None, bool]] = {
    "os.mkdir": (0, 2, False),
    "os.remove": (0, 1, False),
    "os.rmdir": (0, 1, False),
    "os.rename": (1, 3, False),
    "os.link": (1, 3, False),
    "os.symlink": (1, 2, False),
    "os.truncate": (0, None, True),
    "os.chmod": (0, 2, True),
    "os.chown": (0, 3, True),
    "os.utime": (0, 3, True),
    "shutil.rmtree": (0, 1, False),
    "shutil.copyfile": (1, None, True),
    "shutil.copytree": (1, None, False),
    "shutil.move": (1, None, False),
}
_SOURCE_REMOVED = {"os.rename": (0, 2), "shutil.move": (0, None)}  # the source goes away too


class WriteWatch:
    """While active, records and refuses every write the process attempts outside the allowed roots.

    An audit hook (PEP 578) sees open() for writing, mkdir, remove, rename, symlink and
    shutil's tree operations, including transient ones (a lock created and removed again),
    which a before/after comparison would miss. The refused call raises PermissionError,
    so even an unfixed break cannot touch the machine outside the case.
    """

    _installed: WriteWatch | None = None

    def __init__(self) -> None:
        self.active = False
        self.allowed: tuple[str, ...] = ()
        self.writes: list[str] = []
        self._busy = threading.local()

    @classmethod
    def install(cls) -> WriteWatch:
        if cls._installed is None:
            cls._installed = cls()
            sys.addaudithook(cls._installed._hook)
        return cls._installed

    @contextmanager
    def watching(self, *allowed: Path) -> Iterator[list[str]]:
        self.allowed = tuple(os.path.realpath(a) for a in allowed)
        self.writes = []
        self.active = True
        try:
            yield self.writes
        finally:
            self.active = False

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active or getattr(self._busy, "on", False):
            return
        if event != "open" and event not in _PATH_EVENTS:
            return
        self._busy.on = True
        try:
            refused = [p for p in self._written(event, args) if not self._allowed(p)]
        finally:
            self._busy.on = False
        if refused:
            self.writes.extend(f"{event} {p}" for p in refused)
            raise PermissionError(f"[fuzz] write outside the project refused: {refused[0]}")

    def _written(self, event: str, args: tuple[Any, ...]) -> list[str]:
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if not writing or isinstance(path, int):
                return []
            return [_resolve(path, None, follow=True)]
        index, fd_index, follow = _PATH_EVENTS[event]
        paths = [_resolve(args[index], _arg(args, fd_index), follow=follow)]
        if event == "os.mkdir" and os.path.isdir(paths[0]):
            return []  # mkdir(exist_ok=True) of a folder that is there changes nothing
        if event in _SOURCE_REMOVED:
            src, src_fd = _SOURCE_REMOVED[event]
            paths.append(_resolve(args[src], _arg(args, src_fd), follow=False))
        return [p for p in paths if p]

    def _allowed(self, path: str) -> bool:
        if not path or path == os.devnull or "/__pycache__/" in path:
            return True
        return any(path == root or path.startswith(root + os.sep) for root in self.allowed)


def _arg(args: tuple[Any, ...], index: int | None) -> Any:
    return args[index] if index is not None and index < len(args) else None


def _resolve(path: Any, dir_fd: Any, *, follow: bool) -> str:
    """The absolute, symlink-free path a call acts on (the final link itself when it does not follow)."""
    if path is None or isinstance(path, int):
        return ""
    try:
        text = os.fsdecode(os.fspath(path))
    except (TypeError, ValueError):
        return ""
    text = text.replace("\x00", "\\0")
    if not os.path.isabs(text):
        base = os.getcwd()
        if isinstance(dir_fd, int) and dir_fd >= 0:
            try:
                base = os.readlink(f"/proc/self/fd/{dir_fd}")
            except OSError:
                return ""
        text = os.path.join(base, text)
    try:
        if follow:
            return os.path.realpath(text)
        parent, name = os.path.split(os.path.normpath(text))
        return os.path.join(os.path.realpath(parent), name)
    except (OSError, ValueError):
        return text


# -- deadlines ------------------------------------------------------------------------------


class Hang(BaseException):
    """Raised in the main thread when a command runs past its deadline (not an Exception: nothing catches it)."""


@contextmanager
def deadline(seconds: float, hard_seconds: float, log: TextIO | None) -> Iterator[None]:
    """Raise Hang after seconds; end the process after hard_seconds with every thread's traceback.

    SIGALRM interrupts Python code and blocking system calls (a FIFO's open); a loop
    inside C code that never returns to Python is caught by faulthandler's own thread,
    which writes the tracebacks to log (the case is written there first) and exits.
    """
    main = threading.current_thread() is threading.main_thread()

    def fire(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, fire) if main else None
    if main:
        signal.setitimer(signal.ITIMER_REAL, seconds)
    if log is not None:
        faulthandler.dump_traceback_later(hard_seconds, exit=True, file=log)
    try:
        yield
    finally:
        if main:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if log is not None:
            faulthandler.cancel_dump_traceback_later()


# -- what a command left behind --------------------------------------------------------------


def tree_digest(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Relative path -> digest of every file, symlink and special file below root (links not followed)."""
    found: dict[str, str] = {}
    if not os.path.lexists(root):
        return found
    for current, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(current, root)
        if rel_dir == ".":
            dirs[:] = [d for d in dirs if d not in skip]
        for name in [*files, *(d for d in dirs if os.path.islink(os.path.join(current, d)))]:
            full = os.path.join(current, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            info = os.lstat(full)
            if stat.S_ISLNK(info.st_mode):
                found[rel] = "symlink -> " + os.readlink(full)
            elif stat.S_ISREG(info.st_mode):
                with open(full, "rb") as handle:
                    found[rel] = hashlib.blake2b(handle.read(), digest_size=12).hexdigest()
            else:
                found[rel] = f"special {stat.S_IFMT(info.st_mode):o}"
    return found


def tree_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    changes = [f"deleted {p}" for p in sorted(before.keys() - after.keys())]
    changes += [f"created {p}" for p in sorted(after.keys() - before.keys())]
    changes += [f"modified {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return changes


# -- the output of a command ------------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_MARKDOWN_MARKERS = (V.MENTION, V.MD_IMAGE, V.MD_LINK)
_LEAKS = (V.SECRET, "root:x:0:0:")


def output_problems(fmt: str, stdout: str, stderr: str) -> list[tuple[str, str]]:
    """(kind, detail) for each way the output is unfit: invalid JSON/XML, injection, a leak."""
    problems: list[tuple[str, str]] = []
    for text in (stdout, stderr):
        if "Traceback (most recent call last)" in text:
            problems.append(("traceback", _around(text, "Traceback (most recent call last)")))
        if "Internal error" in text:
            problems.append(("exit 3", _around(text, "Internal error")))
        for leak in _LEAKS:
            if leak in text:
                problems.append(("read outside the project", _around(text, leak)))
        for line in text.splitlines():
            if line.startswith(V.WORKFLOW_COMMANDS):
                problems.append(("workflow-command injection", line[:160]))
                break
    body = stdout.strip()
    if body and fmt in ("json", "sarif"):
        try:
            json.loads(body, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            problems.append(("invalid JSON output", f"{exc}: {body[:160]!r}"))
    if body and fmt == "junit":
        try:
            ET.fromstring(body)
        except ET.ParseError as exc:
            problems.append(("invalid XML output", f"{exc}: {body[:160]!r}"))
    if fmt == "markdown":
        prose = _CODE_SPAN.sub("", _FENCE.sub("", stdout))
        for marker in _MARKDOWN_MARKERS:
            if marker in prose:
                problems.append(("markdown injection", _around(prose, marker)))
    if fmt == "html" and V.HTML_TAG in stdout:
        problems.append(("html injection", _around(stdout, V.HTML_TAG)))
    return problems


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _around(text: str, marker: str) -> str:
    at = text.find(marker)
    return text[max(0, at - 80) : at + 160].strip()


# -- tracebacks --------------------------------------------------------------------------------


def innermost_frame(tb: TracebackType | None) -> str:
    """modelspec/<module>.py:<function> of the innermost modelspec frame, or the innermost frame."""
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/modelspec/" in f.filename.replace(os.sep, "/")]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "?"
    path = frame.filename.replace(os.sep, "/")
    path = "modelspec/" + path.rsplit("/modelspec/", 1)[-1] if "/modelspec/" in path else Path(path).name
    return f"{path}:{frame.name}"


def traceback_tail(exc: BaseException, limit: int = 12) -> str:
    """The last frames of a traceback: modelspec frames kept, library frames after the last one kept too."""
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    text = "".join(lines).rstrip().splitlines()
    return "\n".join(text[-2 * limit :])
