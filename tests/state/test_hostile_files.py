"""Hostile files where modelspec keeps its state: each is one clear error naming file and fix.

The state file and its backup, the lock file, triggers.json and the audit log
are planted with deep nesting, huge integers, NaN, bytes that are not UTF-8,
a FIFO, a link to /dev/zero and a file over the size limit, and the real
command runs: exit 1 with the file and the way out in the message, never a
traceback, a hang or a change to what is stored.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hostile_files import EXPECTED, KINDS, plant

from modelspec.cli import cli
from modelspec.state import LocalFileBackend, LockInfo, ResourceState, State, StateError, read_audit
from modelspec.state.lock import UnreadableLock, is_stale, read_lock_file


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def state_expected(kind: str) -> str:
    """The reason for a state file: NaN and Infinity read as null there (the first release
    wrote them for NaN metrics), so those files fail on the field they stand in."""
    return "is corrupt: lineage is missing" if kind in ("nan", "infinity") else EXPECTED[kind]

pytestmark = pytest.mark.usefixtures("no_hang")  # a blocked read fails after 20 s


@pytest.fixture
def backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalFileBackend:
    (tmp_path / "modelspec.yaml").write_text("project: demo\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return LocalFileBackend(tmp_path / ".modelspec" / "state.json")


def model(serial: int) -> State:
    rs = ResourceState(
        address="model.m",
        kind="Model",
        name="m",
        digest="sha256:" + "0" * 64,
        spec={"kind": "Model"},
        outputs={"build": f"1.0.0+{serial}"},
        artifacts={},
    )
    return State(lineage="lin", serial=serial, resources={}).with_resource(rs)


def snapshot(directory: Path) -> dict[str, str]:
    """What each entry of directory is (its bytes, or its kind): to tell that nothing changed."""
    out: dict[str, str] = {}
    for path in sorted(directory.iterdir()):
        if path.is_symlink():
            out[path.name] = f"-> {path.readlink()}"
        elif path.is_fifo() or path.is_char_device() or path.is_dir():
            out[path.name] = f"special {path.stat().st_mode:o}"
        elif path.stat().st_size > 1 << 20:
            out[path.name] = f"{path.stat().st_size} bytes"
        else:
            out[path.name] = path.read_bytes().hex()
    return out


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = result.output.splitlines()
    assert line.startswith("Error: ")
    return line


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_state_file_without_a_backup(backend: LocalFileBackend, kind: str) -> None:
    plant(backend.path, kind)
    before = snapshot(backend.path.parent)
    for command in (("state", "list"), ("plan",)):
        line = one_error_line(run(*command))
        assert str(backend.path) in line and state_expected(kind) in line
        assert "there is no backup state.json.backup" in line
        assert "move it aside to start from an empty state" in line
    assert snapshot(backend.path.parent) == before  # no lock left behind either


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_state_file_points_at_a_sound_backup(
    backend: LocalFileBackend, kind: str
) -> None:
    backend.write(model(1))
    backend.write(model(2))
    plant(backend.path, kind)
    line = one_error_line(run("state", "list"))
    assert str(backend.path) in line and state_expected(kind) in line
    assert f"previous state is kept in {backend.backup_path} (serial 1)" in line
    assert f"restore it with `cp {backend.backup_path} {backend.path}`" in line
    backend.backup_path.replace(backend.path)  # following the advice gets the state back
    assert backend.read() == model(1)


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_backup_is_named_when_the_state_is_corrupt_too(
    backend: LocalFileBackend, kind: str
) -> None:
    backend.write(model(1))
    plant(backend.backup_path, kind)
    assert backend.read() == model(1)  # a sound state never reads its backup
    assert run("state", "list").exit_code == 0
    backend.path.write_text("{not json", encoding="utf-8")
    line = one_error_line(run("state", "list"))
    assert f"state file {backend.path} is corrupt: not valid JSON" in line
    assert str(backend.backup_path) in line and state_expected(kind) in line
    assert "restore state.json from a copy of your own" in line


def test_a_state_file_that_is_a_directory(backend: LocalFileBackend) -> None:
    backend.path.mkdir(parents=True)
    result = run("state", "list")  # modelspec.yaml's state.path is refused before any read
    assert result.exit_code == 1
    assert "state.path: '.modelspec/state.json' is a directory, and the state is a file" in result.output
    with pytest.raises(StateError, match=f"cannot read state file {backend.path}: not a regular file"):
        backend.read()  # and the backend itself refuses it, should it become one later


def test_non_finite_numbers_are_written_as_null_and_read_back(backend: LocalFileBackend) -> None:
    state = model(1)
    rs = replace(state.resources["model.m"], outputs={"roc_auc": float("nan"), "n": float("inf")})
    backend.write(state.with_resource(rs))
    assert backend.read().resources["model.m"].outputs == {"roc_auc": None, "n": None}


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_lock_file_is_named_and_force_unlock_removes_it(
    backend: LocalFileBackend, kind: str
) -> None:
    plant(backend.lock_path, kind)
    holder = read_lock_file(backend.lock_path)
    assert isinstance(holder, UnreadableLock) and holder.id.startswith("unreadable-")
    line = one_error_line(run("plan"))
    assert f"the lock file {backend.lock_path}" in line and EXPECTED[kind] in line
    assert f"remove the lock with `modelspec force-unlock {holder.id}`" in line
    wrong = run("force-unlock", "not-it", "--yes")
    assert wrong.exit_code == 1 and holder.id in wrong.output
    assert backend.lock_path.is_symlink() or backend.lock_path.exists()
    unlocked = run("force-unlock", holder.id, "--yes")
    assert unlocked.exit_code == 0, unlocked.output
    assert f"Lock {holder.id} removed." in unlocked.output
    assert not backend.lock_path.is_symlink() and not backend.lock_path.exists()
    assert run("plan").exit_code == 0


@pytest.mark.parametrize(
    ("pid", "why"),
    [(2**31, "pid 2147483648 is not a process id"), (0, "pid 0 is not"), (-5, "pid -5 is not")],
)
def test_a_lock_with_an_impossible_pid(backend: LocalFileBackend, pid: int, why: str) -> None:
    bad = replace(LockInfo.new("modelspec apply"), pid=pid)
    assert not is_stale(bad)  # os.kill(2**31, 0) would raise OverflowError
    backend.lock_path.parent.mkdir(parents=True)
    backend.lock_path.write_text(json.dumps(bad.__dict__), encoding="utf-8")
    holder = read_lock_file(backend.lock_path)
    assert isinstance(holder, UnreadableLock)
    line = one_error_line(run("plan"))
    assert why in line and f"modelspec force-unlock {holder.id}" in line
    assert run("force-unlock", holder.id, "--yes").exit_code == 0
    assert not backend.lock_path.exists()


def test_an_empty_lock_file_says_who_left_it(backend: LocalFileBackend) -> None:
    backend.lock_path.parent.mkdir(parents=True)
    backend.lock_path.write_bytes(b"")
    line = one_error_line(run("plan"))
    assert "is empty: a command that died taking the lock left it" in line
    holder = read_lock_file(backend.lock_path)
    assert holder is not None
    assert run("force-unlock", holder.id, "--yes").exit_code == 0


def test_an_unreadable_lock_is_refused_at_once_even_with_a_timeout(
    backend: LocalFileBackend,
) -> None:
    plant(backend.lock_path, "not-utf8")
    line = one_error_line(run("plan", "--lock-timeout", "60"))  # never becomes readable
    assert "unreadable lock unreadable-" in line


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_triggers_file_is_named_and_kept(backend: LocalFileBackend, kind: str) -> None:
    from modelspec.project import Project, ProjectConfig
    from modelspec.state.triggers import record_trigger, triggers_path

    project = Project(root=backend.path.parent.parent, config=ProjectConfig(project="demo"))
    path = triggers_path(project)
    plant(path, kind)
    before = snapshot(path.parent)
    line = one_error_line(run("plan"))
    assert f"triggers file {path}" in line and EXPECTED[kind] in line
    assert "delete it to drop the pending triggers" in line
    with pytest.raises(StateError, match="triggers file"):
        record_trigger(project, "model.m", "drift", "retrain")  # never overwrites the rest
    assert snapshot(path.parent) == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_audit_log_is_named_by_line(backend: LocalFileBackend, kind: str) -> None:
    log = backend.path.parent / "audit.jsonl"
    plant(log, kind)
    with pytest.raises(StateError) as info:
        read_audit(log)
    message = str(info.value)
    assert str(log) in message and EXPECTED[kind] in message
    if kind not in ("fifo", "device", "huge"):
        assert f"audit log {log}:1 is " in message and "repair that line by hand" in message
    else:
        assert "move the log aside (for example to audit.jsonl.1)" in message
    # a report that left out the history would be signed as complete: it refuses instead
    report = run("report")
    assert report.exit_code == 1, report.output
    assert report.stdout == ""
    assert "no report is made" in report.stderr and str(log) in report.stderr


def test_a_state_file_of_the_first_release_holding_nan_still_reads(backend: LocalFileBackend) -> None:
    backend.path.parent.mkdir(parents=True, exist_ok=True)
    backend.path.write_text(
        '{"format_version": 1, "lineage": "l", "serial": 1, "resources": {"model.m": {"kind": "Model",'
        ' "name": "m", "digest": "sha256:x", "spec": {}, "outputs": {"metrics": {"roc_auc": NaN}},'
        ' "artifacts": {}, "depends_on": []}}}\n'
    )
    state = backend.read()
    assert state.resources["model.m"].outputs == {"metrics": {"roc_auc": None}}
