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


RACER = """
import os, sys, time
from pathlib import Path
from modelspec.state import LocalFileBackend, LockInfo, StateLocked

backend = LocalFileBackend(Path(sys.argv[1]))
tried, start, racers = Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
while time.time() < start:
    pass
try:
    lock = backend.lock(LockInfo.new("racer"))
except StateLocked:
    print("lost", flush=True)
else:
    print("won", lock.id, flush=True)
(tried / str(os.getpid())).touch()
if "lock" in dir():  # hold it until every racer has tried
    deadline = time.time() + 60
    while len(list(tried.iterdir())) < racers and time.time() < deadline:
        time.sleep(0.01)
    lock.release()
"""


def test_of_many_processes_racing_for_the_lock_exactly_one_wins(
    backend: LocalFileBackend, tmp_path: Path
) -> None:
    tried = tmp_path / "tried"
    tried.mkdir()
    start = time.time() + 2  # most racers are up and spinning by then
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(backend.path), str(tried), str(start), "6"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = [child.communicate(timeout=90)[0].split() for child in racers]
    winners = [out for out in outputs if out[0] == "won"]
    assert len(winners) == 1, outputs
    assert sum(out == ["lost"] for out in outputs) == 5
    assert not backend.lock_path.exists()
    assert [p.name for p in backend.lock_path.parent.iterdir()] == []  # no temp file left


def test_where_hard_links_fail_the_lock_is_created_in_place(
    backend: LocalFileBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    info = LockInfo.new("modelspec apply")
    with backend.lock(info):
        assert backend.current_lock() == info
        with pytest.raises(StateLocked):
            backend.lock(LockInfo.new("second"))
    assert [p.name for p in backend.lock_path.parent.iterdir()] == []


def test_a_failed_write_of_the_lock_leaves_no_lock_file(
    backend: LocalFileBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from modelspec.state import StateError

    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(backend.lock_path.parent)):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell which file a write goes to")
    monkeypatch.setattr(os, "write", full)
    for links in (True, False):  # through a hard link, and created in place where links fail
        if not links:
            monkeypatch.setattr(os, "link", lambda s, d: (_ for _ in ()).throw(OSError(1, "no")))
        with pytest.raises(StateError) as info:
            backend.lock(LockInfo.new("modelspec apply"))
        assert str(info.value) == (
            f"cannot take the state lock {backend.lock_path}: No space left on device "
            "(ENOSPC); free some space on that file system"
        )
        assert [p.name for p in backend.lock_path.parent.iterdir()] == []
    monkeypatch.setattr(os, "write", real_write)
    with backend.lock(LockInfo.new("once there is space")):
        assert backend.lock_path.exists()
