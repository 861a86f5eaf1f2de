"""Locks on the local backend: contention between processes, stale holders, force-unlock."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from modelspec.state import LocalFileBackend, LockIdMismatch, LockInfo, NotLocked, StateLocked

HOLDER = """
import sys, time
from pathlib import Path
from modelspec.state import LocalFileBackend, LockInfo

backend = LocalFileBackend(Path(sys.argv[1]))
with backend.lock(LockInfo.new("modelspec apply")) as lock:
    print(lock.id, flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""


@pytest.fixture
def backend(tmp_path: Path) -> LocalFileBackend:
    return LocalFileBackend(tmp_path / ".modelspec" / "state.json")


@contextmanager
def hold_lock(
    backend: LocalFileBackend, seconds: float
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A child process holding the lock for seconds; yields it and the lock id."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(backend.path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    lock_id = child.stdout.readline().strip()
    try:
        yield child, lock_id
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def test_lock_file_holds_the_lock_info_and_goes_on_release(backend: LocalFileBackend) -> None:
    info = LockInfo.new("modelspec apply")
    with backend.lock(info) as lock:
        assert lock.info == info
        assert backend.lock_path.name == "state.lock"
        assert json.loads(backend.lock_path.read_text("utf-8")) == asdict(info)
        assert backend.current_lock() == info
    assert not backend.lock_path.exists()
    assert backend.current_lock() is None


def test_lock_info_new_describes_this_process() -> None:
    info = LockInfo.new("modelspec plan")
    assert info.pid == os.getpid() and info.host == socket.gethostname()
    assert info.command == "modelspec plan" and info.created.endswith("Z")
    assert len(info.id) == 36 and info.user


def test_second_process_fails_at_once_naming_the_holder(backend: LocalFileBackend) -> None:
    with hold_lock(backend, 30) as (child, lock_id):
        started = time.monotonic()
        with pytest.raises(StateLocked) as info:
            backend.lock(LockInfo.new("modelspec apply"))
        assert time.monotonic() - started < 1
        holder = info.value.holder
        assert (holder.id, holder.pid, holder.command) == (lock_id, child.pid, "modelspec apply")
        assert not info.value.stale
        message = str(info.value)
        for part in (
            lock_id,
            holder.user,
            holder.host,
            str(child.pid),
            "modelspec apply",
            holder.created,
        ):
            assert part in message
        assert f"modelspec force-unlock {lock_id}" in message
        assert "stale" not in message


def test_waiting_with_timeout_succeeds_once_released(backend: LocalFileBackend) -> None:
    with hold_lock(backend, 0.4) as (child, _):
        info = LockInfo.new("modelspec apply")
        with backend.lock(info, timeout=10):
            assert backend.current_lock() == info
            assert child.wait(timeout=10) == 0


def test_waiting_gives_up_after_the_timeout(backend: LocalFileBackend) -> None:
    with hold_lock(backend, 30) as (_, lock_id):
        started = time.monotonic()
        with pytest.raises(StateLocked) as info:
            backend.lock(LockInfo.new("modelspec apply"), timeout=0.3)
        assert 0.25 < time.monotonic() - started < 5
        assert info.value.holder.id == lock_id


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_lock_of_a_dead_process_on_this_host_is_reported_stale(backend: LocalFileBackend) -> None:
    pid = dead_pid()
    dead = replace(LockInfo.new("modelspec apply"), pid=pid)
    backend.lock_path.parent.mkdir(parents=True)
    backend.lock_path.write_text(dead.to_json(), encoding="utf-8")
    with pytest.raises(StateLocked) as info:
        backend.lock(LockInfo.new("modelspec apply"))
    assert info.value.stale
    assert f"stale: process {pid} on this host is gone" in str(info.value)
    assert backend.lock_path.exists()  # reported, never removed on its own


def test_lock_from_another_host_is_never_called_stale(backend: LocalFileBackend) -> None:
    other = replace(LockInfo.new("modelspec apply"), pid=dead_pid(), host="elsewhere.invalid")
    backend.lock_path.parent.mkdir(parents=True)
    backend.lock_path.write_text(other.to_json(), encoding="utf-8")
    with pytest.raises(StateLocked) as info:
        backend.lock(LockInfo.new("modelspec apply"))
    assert not info.value.stale


def test_force_unlock_needs_the_holders_id(backend: LocalFileBackend) -> None:
    info = LockInfo.new("modelspec apply")
    lock = backend.lock(info)
    with pytest.raises(LockIdMismatch) as mismatch:
        backend.force_unlock("0000")
    assert info.id in str(mismatch.value) and "0000" in str(mismatch.value)
    assert backend.current_lock() == info
    backend.force_unlock(info.id)
    assert backend.current_lock() is None
    with pytest.raises(NotLocked):
        backend.force_unlock(info.id)
    lock.release()  # no longer ours to remove: a no-op


def test_release_leaves_a_lock_that_is_no_longer_ours(backend: LocalFileBackend) -> None:
    first = backend.lock(LockInfo.new("first"))
    backend.force_unlock(first.id)
    second_info = LockInfo.new("second")
    with backend.lock(second_info):
        first.release()
        assert backend.current_lock() == second_info
