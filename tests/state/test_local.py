"""The local file backend: round-trip, backup, clear errors, and writes that survive SIGKILL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modelspec.state import LocalFileBackend, ResourceState, State, StateError, loads_state


def resource(n: int) -> ResourceState:
    return ResourceState(
        address=f"model.m{n:04d}",
        kind="Model",
        name=f"m{n:04d}",
        digest=f"sha256:{n:064x}",
        spec={"apiVersion": "modelspec/v1", "kind": "Model", "metadata": {"name": f"m{n:04d}"}},
        outputs={"build": f"1.0.{n}+1"},
        artifacts={f"models/m{n:04d}/model.yaml": f"sha256:{n:064x}"},
    )


def test_nothing_stored_reads_as_one_empty_state(tmp_path: Path) -> None:
    backend = LocalFileBackend(tmp_path / ".modelspec" / "state.json")
    first = backend.read()
    assert first.serial == 0 and not first.resources
    assert backend.read().lineage == first.lineage
    assert not backend.path.exists()


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    backend = LocalFileBackend(tmp_path / ".modelspec" / "state.json")
    state = State.empty().with_resource(resource(2)).with_resource(resource(1)).bump()
    backend.write(state)
    assert backend.read() == state
    assert LocalFileBackend(backend.path).read() == state
    text = backend.path.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.index("model.m0001") < text.index("model.m0002")
    assert sorted(p.name for p in backend.path.parent.iterdir()) == ["state.json", "state.json.history"]
    assert [p.name for p in backend.history_dir.iterdir()] == ["1.json"]


def test_previous_file_is_kept_as_backup(tmp_path: Path) -> None:
    backend = LocalFileBackend(tmp_path / "state.json")
    first = State.empty().with_resource(resource(1)).bump()
    second = first.without("model.m0001").bump()
    backend.write(first)
    assert not backend.backup_path.exists()
    backend.write(second)
    assert backend.backup_path.name == "state.json.backup"
    assert loads_state(backend.backup_path.read_text(encoding="utf-8"), "b") == first
    assert backend.read() == second
    backend.write(second.bump())
    assert loads_state(backend.backup_path.read_text(encoding="utf-8"), "b") == second
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "state.json", "state.json.backup", "state.json.history"
    ]
    assert backend.read_serial(1) == first and backend.read_serial(2) == second
    assert [s.serial for s in backend.history()] == [1, 2, 3]


def test_corrupt_file_is_a_clear_error_naming_file_and_backup(tmp_path: Path) -> None:
    backend = LocalFileBackend(tmp_path / "state.json")
    backend.write(State.empty())
    backend.write(State.empty().bump())
    backend.path.write_text('{"format_version": 1, "lineage": "x", ', encoding="utf-8")
    with pytest.raises(StateError) as info:
        backend.read()
    message = str(info.value)
    assert f"state file {backend.path} is corrupt" in message
    assert f"previous state is kept in {backend.backup_path}" in message
    backend.path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(StateError, match="not UTF-8"):
        backend.read()


def test_newer_format_on_disk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps({"format_version": 99, "lineage": "l", "serial": 3, "resources": {}}),
        encoding="utf-8",
    )
    with pytest.raises(StateError, match="format_version 99"):
        LocalFileBackend(path).read()


def test_unwritable_directory_is_a_state_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(StateError, match="cannot write state file"):
        LocalFileBackend(blocker / "state.json").write(State.empty())


WRITER = """
import sys
from pathlib import Path
from modelspec.state import LocalFileBackend, ResourceState, State

backend = LocalFileBackend(Path(sys.argv[1]))
state = backend.read()
resources = {
    f"model.m{n:04d}": ResourceState(
        address=f"model.m{n:04d}", kind="Model", name=f"m{n:04d}", digest="sha256:" + "0" * 64,
        spec={"padding": "x" * 400, "n": n}, outputs={}, artifacts={},
    )
    for n in range(300)
}
state = State(lineage=state.lineage, serial=state.serial, resources=resources)
first = True
while True:
    state = state.bump()
    backend.write(state)
    if first:
        print("writing", flush=True)
        first = False
"""


def test_sigkill_during_writes_leaves_a_whole_state_file(tmp_path: Path) -> None:
    path = tmp_path / ".modelspec" / "state.json"
    rng = random.Random(1234)
    last_serial = 0
    for _ in range(10):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline() == "writing\n"
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        assert child.returncode == -signal.SIGKILL

        state = LocalFileBackend(path).read()  # parses, or raises and fails the test
        assert len(state.resources) == 300
        assert state.serial > last_serial
        backup = loads_state(path.with_name("state.json.backup").read_text("utf-8"), "backup")
        assert backup.serial in (state.serial - 1, state.serial)
        assert backup.lineage == state.lineage
        last_serial = state.serial
