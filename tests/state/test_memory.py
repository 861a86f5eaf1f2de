"""The in-process backend behaves like the file one: reads, writes, locks."""

from __future__ import annotations

import threading

import pytest

from modelspec.state import LockIdMismatch, LockInfo, MemoryBackend, NotLocked, State, StateLocked


def test_read_before_any_write_is_one_stable_empty_state() -> None:
    backend = MemoryBackend()
    assert backend.read() == backend.read()
    assert backend.read().serial == 0


def test_writes_are_read_back_and_kept_in_history() -> None:
    backend = MemoryBackend()
    first = State.empty().bump()
    second = first.bump()
    backend.write(first)
    backend.write(second)
    assert backend.read() == second
    assert backend.history == [first, second]


def test_second_lock_fails_at_once_and_names_the_holder() -> None:
    backend = MemoryBackend()
    holder = LockInfo.new("modelspec apply")
    with backend.lock(holder):
        assert backend.current_lock() == holder
        with pytest.raises(StateLocked) as info:
            backend.lock(LockInfo.new("modelspec apply"))
        assert info.value.holder == holder and not info.value.stale
    assert backend.current_lock() is None


def test_lock_with_timeout_waits_for_release() -> None:
    backend = MemoryBackend()
    held = backend.lock(LockInfo.new("first"))
    timer = threading.Timer(0.1, held.release)
    timer.start()
    with backend.lock(LockInfo.new("second"), timeout=5) as lock:
        assert backend.current_lock() == lock.info
    timer.join()


def test_force_unlock_checks_the_id() -> None:
    backend = MemoryBackend()
    info = LockInfo.new("apply")
    backend.lock(info)
    with pytest.raises(LockIdMismatch, match=info.id):
        backend.force_unlock("not-it")
    backend.force_unlock(info.id)
    assert backend.current_lock() is None
    with pytest.raises(NotLocked):
        backend.force_unlock(info.id)
