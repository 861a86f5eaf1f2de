"""The contract every state backend keeps, run against the file, memory and PostgreSQL backends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres import PostgresServer

from modelspec.state import (
    LocalFileBackend,
    LockIdMismatch,
    LockInfo,
    MemoryBackend,
    NotLocked,
    ResourceState,
    State,
    StateBackend,
    StateLocked,
)
from modelspec.state.backend import KeepsHistory


def resource(n: int) -> ResourceState:
    return ResourceState(
        address=f"model.m{n:04d}",
        kind="Model",
        name=f"m{n:04d}",
        digest=f"sha256:{n:064x}",
        spec={"apiVersion": "modelspec/v1", "kind": "Model", "metadata": {"name": f"m{n:04d}"},
              "note": "ünïcode \u2028 and \"quotes\""},
        outputs={"build": f"1.0.{n}+1", "metrics": {"auc": 0.91}},
        artifacts={f"models/m{n:04d}/model.yaml": f"sha256:{n:064x}"},
        depends_on=("datacontract.c",),
        render_key="sha256:" + "ab" * 32,
    )


@pytest.fixture(params=["memory", "local", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateBackend]:
    if request.param == "memory":
        yield MemoryBackend()
    elif request.param == "local":
        yield LocalFileBackend(tmp_path / ".modelspec" / "state.json")
    else:
        from modelspec.state.postgres import PostgresBackend

        server: PostgresServer = request.getfixturevalue("postgres_server")
        pg = PostgresBackend("contract", server.dsn(server.new_database()))
        yield pg
        pg.close()


def test_nothing_stored_reads_as_one_empty_state(backend: StateBackend) -> None:
    first = backend.read()
    assert first.serial == 0 and not first.resources
    assert backend.read().lineage == first.lineage


def test_writes_read_back_exactly(backend: StateBackend) -> None:
    state = State.empty().with_resource(resource(2)).with_resource(resource(1)).bump()
    backend.write(state)
    assert backend.read() == state
    again = state.with_resource(resource(3))  # a checkpoint: the same serial, more resources
    backend.write(again)
    assert backend.read() == again
    backend.write(again.bump())
    assert backend.read() == again.bump()


def test_a_second_lock_is_refused_naming_the_holder(backend: StateBackend) -> None:
    holder = LockInfo.new("apply")
    with backend.lock(holder):
        assert backend.current_lock() == holder
        with pytest.raises(StateLocked) as info:
            backend.lock(LockInfo.new("apply"))
        assert info.value.holder == holder
        assert holder.id in str(info.value) and "apply" in str(info.value)
    assert backend.current_lock() is None
    with backend.lock(LockInfo.new("apply")):
        pass


def test_lock_timeout_waits_for_the_release(backend: StateBackend) -> None:
    held = backend.lock(LockInfo.new("first"))
    timer = threading.Timer(0.3, held.release)
    timer.start()
    with backend.lock(LockInfo.new("second"), timeout=10) as lock:
        assert backend.current_lock() == lock.info
    timer.join()


def test_force_unlock_needs_the_holders_id(backend: StateBackend) -> None:
    with pytest.raises(NotLocked):
        backend.force_unlock("nobody")
    lock = backend.lock(LockInfo.new("apply"))
    try:
        with pytest.raises(LockIdMismatch, match=lock.id):
            backend.force_unlock("not-it")
    finally:
        lock.release()


def test_every_serial_is_kept_where_history_is(backend: StateBackend) -> None:
    if not isinstance(backend, KeepsHistory):
        pytest.skip("the memory backend keeps no history")
    states = [State.empty(lineage="L").bump()]
    for n in range(1, 5):
        states.append(states[-1].with_resource(resource(n)).bump())
    for state in states:
        backend.write(state)
    assert [info.serial for info in backend.history()] == [1, 2, 3, 4, 5]
    for state in states:
        assert backend.read_serial(state.serial) == state
    assert backend.read() == states[-1]
