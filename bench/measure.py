"""Timing primitives for the benchmark: best-of-R wall time, and child processes with their peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["ProcessRun", "Timing", "best_process", "best_time", "run_process"]


@dataclass(frozen=True)
class Timing:
    """The best and every wall time of a repeated measurement, in seconds."""

    best: float
    runs: tuple[float, ...]


@dataclass(frozen=True)
class ProcessRun:
    """One finished child process: wall time, exit code, output and peak resident memory."""

    argv: tuple[str, ...]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    max_rss_mb: float
    timed_out: bool = False

    def tail(self, lines: int = 15) -> str:
        if self.timed_out:
            return f"killed after {self.seconds:.0f} s (--timeout)"
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return "\n".join(text[-lines:])


def best_time(action: Callable[[], object], repeat: int) -> Timing:
    """Run action repeat times (at least once); the fastest wall time is the result."""
    runs = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return Timing(min(runs), tuple(runs))


def run_process(
    argv: Sequence[str], env: dict[str, str] | None = None, timeout: float | None = None
) -> ProcessRun:
    """Run argv to completion (killed after timeout seconds); peak RSS is this child's alone (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer is not None:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        timed_out = timer is not None and timer.finished.is_set()
        if timer is not None:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: stop Popen waiting
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS
    rss_bytes = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return ProcessRun(
        tuple(argv), seconds, proc.returncode, stdout, stderr, rss_bytes / 2**20, timed_out
    )


def best_process(
    argv: Sequence[str], repeat: int, env: dict[str, str] | None = None,
    accept: Callable[[ProcessRun], bool] = lambda run: run.returncode == 0,
    timeout: float | None = None,
) -> tuple[ProcessRun, Timing, float]:
    """Run argv repeat times; (the fastest run, all times, the highest peak RSS in MB).

    A run that accept() refuses ends the series early and is returned, so the
    caller can report the failure instead of timing it again.
    """
    runs: list[ProcessRun] = []
    for _ in range(max(1, repeat)):
        run = run_process(argv, env, timeout)
        runs.append(run)
        if not accept(run):
            return run, Timing(run.seconds, (run.seconds,)), run.max_rss_mb
    best = min(runs, key=lambda r: r.seconds)
    return best, Timing(best.seconds, tuple(r.seconds for r in runs)), max(r.max_rss_mb for r in runs)
