"""Faults of the file system under the state: a full disk, a read-only directory, a name too long.

Real faults, not mocks: a tiny tmpfs filled to the last page gives ENOSPC and
a read-only bind mount gives EROFS (both need root, as the tests run here, and
are skipped elsewhere); without root, chmod 0555 gives a real EACCES. Each
command ends with one `Error:` line naming the file and the errno, and
nothing (state, lock, audit log, generated files) is changed.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from plan_workspace import CONTRACT, TARGET

from modelspec.cli import cli
from modelspec.state import LocalFileBackend, LockInfo, StateError, read_audit
from modelspec.state.audit import read_audit_records

PAGE = 4096


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@contextmanager
def mounted(target: Path, *args: str) -> Iterator[None]:
    """`mount ARGS target` for the block, unmounted after; skips where mounting is not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root")
    done = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(target)], check=True)


def everything(root: Path) -> dict[str, bytes]:
    """Every file under root and its bytes, the filler of a full disk left out."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith("filler")
    }


@pytest.fixture
def project(make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A contract and a target (apply renders files, trains nothing), state under st/."""
    root = make_project(
        {"contract.yaml": CONTRACT, "target.yaml": TARGET},
        config="project: test\nstate: {backend: local, path: st/state.json}\n",
    )
    (root / "st").mkdir()
    monkeypatch.chdir(root)
    return root


def fill(directory: Path, *, leave_pages: int = 0) -> None:
    """Fill directory's file system page by page, then free leave_pages of them again."""
    n = 0
    while True:
        try:
            (directory / f"filler{n}").write_bytes(b"\0" * PAGE)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            break
        n += 1
    for k in range(leave_pages + 1):  # the last, failed one holds no page
        (directory / f"filler{n - k}").unlink()


def edit_contract(root: Path) -> None:
    path = root / "specs" / "contract.yaml"
    path.write_text(path.read_text().replace("owner: growth", "owner: growth-ml"))


def test_a_full_disk_while_taking_the_lock_leaves_no_lock(project: Path) -> None:
    state_dir = project / "st"
    with mounted(state_dir, "-t", "tmpfs", "-o", "size=64k", "tmpfs"):
        assert run("apply", "--auto-approve").exit_code == 0
        edit_contract(project)
        fill(state_dir)
        before = everything(project)
        result = run("apply", "--auto-approve")
        assert result.exit_code == 1
        assert result.output.splitlines()[-1] == (
            f"Error: cannot take the state lock {state_dir / 'state.lock'}: No space left on "
            "device (ENOSPC); free some space on that file system"
        )
        assert everything(project) == before
        assert not (state_dir / "state.lock").exists()
        assert not [p for p in state_dir.iterdir() if p.name.endswith(".tmp")]
        # once there is room again, nothing stands in the way: no empty lock was left
        for filler in state_dir.glob("filler*"):
            filler.unlink()
        again = run("apply", "--auto-approve")
        assert again.exit_code == 0, again.output
        assert "1 updated" in again.output


def test_a_full_disk_for_the_audit_record_stops_apply_before_any_effect(project: Path) -> None:
    state_dir = project / "st"
    with mounted(state_dir, "-t", "tmpfs", "-o", "size=64k", "tmpfs"):
        assert run("apply", "--auto-approve").exit_code == 0
        log = state_dir / "audit.jsonl"
        with log.open("ab") as handle:  # blank lines up to a page boundary: any append needs a page
            handle.write(b"\n" * (-log.stat().st_size % PAGE))
        edit_contract(project)
        fill(state_dir, leave_pages=1)  # the page the lock takes
        before = everything(project)
        result = run("apply", "--auto-approve")
        assert result.exit_code == 1
        assert (
            f"apply did not start: cannot append to the audit log {log}: No space left on "
            "device (ENOSPC)" in result.output
        )
        assert "nothing was changed" in result.output
        assert everything(project) == before  # no file rendered, no state written
        assert not (state_dir / "state.lock").exists()
        assert [r["status"] for r in read_audit(log)] == ["ok"]


def test_a_full_disk_at_the_first_checkpoint_names_the_state_file(project: Path) -> None:
    """Room for the lock and the audit record, none for the state: apply stops, says why,
    and the state and the audit log stay true to what was done."""
    state_dir = project / "st"
    with mounted(state_dir, "-t", "tmpfs", "-o", "size=64k", "tmpfs"):
        assert run("apply", "--auto-approve").exit_code == 0
        state_before = (state_dir / "state.json").read_bytes()
        log = state_dir / "audit.jsonl"
        with log.open("ab") as handle:
            handle.write(b"\n" * (-log.stat().st_size % PAGE))
        edit_contract(project)
        fill(state_dir, leave_pages=2)  # one for the lock, one for the audit records
        result = run("apply", "--auto-approve")
        assert result.exit_code == 1
        assert (
            f"cannot write state file {state_dir / 'state.json'}: No space left on device "
            "(ENOSPC); free some space on that file system" in result.output
        )
        assert (state_dir / "state.json").read_bytes() == state_before
        assert not (state_dir / "state.lock").exists()
        assert not [p for p in state_dir.iterdir() if p.name.endswith(".tmp")]
        entries = read_audit(log)
        assert [e["status"] for e in entries] == ["ok", "failed"]
        assert "cannot write state file" in entries[1]["errors"][0]


@contextmanager
def read_only(directory: Path) -> Iterator[str]:
    """directory made read-only for real: a read-only bind mount as root, chmod 0555 otherwise.

    Yields the errno name the file system will answer with.
    """
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield "EACCES"
        finally:
            directory.chmod(0o755)
        return
    with mounted(directory, "--bind", str(directory)):
        done = subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(directory)], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {done.stderr.strip()}")
        yield "EROFS"


def test_a_read_only_state_directory_is_one_clear_error(project: Path) -> None:
    state_dir = project / "st"
    assert run("apply", "--auto-approve").exit_code == 0
    edit_contract(project)
    before = everything(project)
    with read_only(state_dir) as code:
        for command in (("plan",), ("apply", "--auto-approve")):
            result = run(*command)
            assert result.exit_code == 1
            line = result.output.splitlines()[-1]
            assert line.startswith(
                f"Error: cannot take the state lock {state_dir / 'state.lock'}: "
            )
            assert f"({code})" in line
        assert run("state", "list").exit_code == 0  # reading still works
    assert everything(project) == before


def test_a_read_only_audit_log_stops_apply_before_any_effect(project: Path) -> None:
    """The lock can be taken but the audit log cannot be appended to: nothing happens."""
    state_dir = project / "st"
    assert run("apply", "--auto-approve").exit_code == 0
    edit_contract(project)
    log = state_dir / "audit.jsonl"
    before = everything(project)
    if os.geteuid() == 0:
        with mounted(log, "--bind", str(log)):
            subprocess.run(["mount", "-o", "remount,bind,ro", str(log)], check=True)
            result = run("apply", "--auto-approve")
    else:
        log.chmod(0o444)
        result = run("apply", "--auto-approve")
    assert result.exit_code == 1
    assert f"apply did not start: cannot append to the audit log {log}: " in result.output
    assert everything(project) == before
    assert not (state_dir / "state.lock").exists()


def test_a_state_name_too_long_for_its_backup_is_refused_before_anything(tmp_path: Path) -> None:
    """modelspec.yaml refuses such a state.path at its line; the backend checks it too, against
    the NAME_MAX of the file system it is on, before the lock (and so before any effect)."""
    name = "s" * 240 + ".json"  # fits, but its backup's temp files do not
    backend = LocalFileBackend(tmp_path / "st" / name)
    with pytest.raises(StateError) as info:
        backend.lock(LockInfo.new("apply"))
    assert str(info.value) == (
        f"state file name '{name}' is too long for {tmp_path / 'st'}: its backup's temp files "
        "need 270 characters and the file system allows 255 (File name too long "
        "(ENAMETOOLONG)); choose a shorter state.path in modelspec.yaml"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_state_name_over_the_file_system_limit(tmp_path: Path) -> None:
    backend = LocalFileBackend(tmp_path / ("s" * 300 + ".json"))
    with pytest.raises(StateError, match=r"\(ENAMETOOLONG\)"):
        backend.read()
    with pytest.raises(StateError, match=r"too long .*\(ENAMETOOLONG\)"):
        backend.lock(LockInfo.new("plan"))
    assert list(tmp_path.iterdir()) == []


def test_a_short_write_to_the_audit_log_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write the disk cuts short (ENOSPC midway) leaves no half line to break every later read."""
    from modelspec.state import append_audit

    log = tmp_path / "audit.jsonl"
    append_audit(log, {"command": "apply", "status": "ok"})
    intact = log.read_bytes()
    real_write = os.write

    def half(fd: int, data: bytes) -> int:
        return real_write(fd, data[: len(data) // 2])

    monkeypatch.setattr(os, "write", half)
    with pytest.raises(StateError, match=r"cannot append to the audit log .*\(ENOSPC\)"):
        append_audit(log, {"command": "apply", "status": "started", "id": "x" * 200})
    monkeypatch.setattr(os, "write", real_write)
    assert log.read_bytes() == intact
    assert [r["status"] for r in read_audit_records(log)] == ["ok"]
