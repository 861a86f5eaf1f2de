"""Real applies against a real PostgreSQL: two clones at once, kill -9, the server going away, migration."""

from __future__ import annotations

import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from plan_workspace import CONTRACT, SPECS, TARGET, Workspace
from postgres import PASSWORD, PostgresServer

from modelspec.cli import cli
from modelspec.compile.graph import Resource
from modelspec.executor import apply as execute_apply
from modelspec.state import ResourceState, State
from modelspec.state.pgschema import SCHEMA
from modelspec.state.postgres import PostgresBackend

pytestmark = pytest.mark.slow
PG_CONFIG = "project: shop\nstate: {backend: postgres}\n"
LOCAL_CONFIG = "project: shop\n"


@pytest.fixture(autouse=True)
def _restore_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`-C DIR` changes this process's directory: monkeypatch puts it back after each test."""
    monkeypatch.chdir(tmp_path)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def clone(base: Path, name: str, config: str) -> Path:
    root = base / name
    (root / "specs").mkdir(parents=True)
    (root / "modelspec.yaml").write_text(config)
    (root / "specs" / "contract.yaml").write_text(CONTRACT)
    (root / "specs" / "target.yaml").write_text(TARGET)
    return root


def modelspec(root: Path, *args: str, tty: bool = False) -> tuple[subprocess.Popen[str], int | None]:
    """modelspec ARGS in root; with tty, stdin is a terminal (apply then asks and waits)."""
    master, slave = pty.openpty() if tty else (None, None)
    child = subprocess.Popen(
        [sys.executable, "-m", "modelspec", *args],
        cwd=root,
        stdin=slave if tty else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if slave is not None:
        os.close(slave)
    return child, master


def wait_for_lock_row(server: PostgresServer, dsn: str, child: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        try:
            held = server.sql(f"SELECT count(*) FROM {SCHEMA}.locks", dsn.rsplit("/", 1)[1])
        except RuntimeError:  # the schema is not created yet
            held = "0"
        if held == "1":
            return
        time.sleep(0.05)
    raise AssertionError("the apply did not take the lock")


def no_password_in(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_two_clones_apply_at_once_one_waits_one_is_refused_naming_the_holder(
    tmp_path: Path, pg_dsn: str, postgres_server: PostgresServer
) -> None:
    a, b, c = (clone(tmp_path, name, PG_CONFIG) for name in "abc")
    (c / "specs" / "target.yaml").write_text(TARGET.replace("ml-prod", "ml-prod-c"))
    first, master = modelspec(a, "apply", tty=True)  # plans under the lock, then asks
    assert master is not None
    try:
        wait_for_lock_row(postgres_server, pg_dsn, first)
        refused, _ = modelspec(b, "apply", "--auto-approve")
        _, err = refused.communicate(timeout=120)
        assert refused.returncode == 1 and "the state is locked" in err
        assert f"pid {first.pid}" in err and "`apply`" in err
        waiting, _ = modelspec(c, "apply", "--auto-approve", "--lock-timeout", "120")
        time.sleep(1.0)
        assert waiting.poll() is None  # queued on the lock
        os.write(master, b"yes\n")
        _, err_a = first.communicate(timeout=120)
        out_c, err_c = waiting.communicate(timeout=120)
    finally:
        os.close(master)
        first.kill()
    assert first.returncode == 0, err_a
    assert waiting.returncode == 0 and "State serial 2." in out_c, err_c  # after A's serial 1
    state = PostgresBackend("shop", pg_dsn).read()
    assert state.serial == 2
    assert state.resources["target.prod"].spec["spec"]["namespace"] == "ml-prod-c"
    verify = run("-C", str(a), "audit", "verify")
    assert verify.exit_code == 0 and "4 records, chain intact" in verify.output
    for root in (a, b, c):
        no_password_in(root)


def test_kill_9_of_the_lock_holder_frees_the_lock_at_once(
    tmp_path: Path, pg_dsn: str, postgres_server: PostgresServer
) -> None:
    a, b = clone(tmp_path, "a", PG_CONFIG), clone(tmp_path, "b", PG_CONFIG)
    holder, master = modelspec(a, "apply", tty=True)
    assert master is not None
    try:
        wait_for_lock_row(postgres_server, pg_dsn, holder)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        os.close(master)
    started = time.monotonic()
    proceeds, _ = modelspec(b, "apply", "--auto-approve")  # no --lock-timeout: at once
    out, err = proceeds.communicate(timeout=120)
    assert proceeds.returncode == 0, err
    assert "Apply complete!" in out and time.monotonic() - started < 60
    assert PostgresBackend("shop", pg_dsn).read().serial == 1


class StopServerAt:
    """An engine whose build of the named resource stops the database server (immediately)."""

    def __init__(self, server: PostgresServer, address: str) -> None:
        self.server, self.address = server, address

    def build(self, resource: Resource, previous: ResourceState | None, state: State) -> dict[str, Any]:
        if resource.address == self.address:
            self.server.stop("immediate")
        return {"build": f"{resource.name}+1"}


@pytest.mark.parametrize("stop_at", ["model.churn-model", "deployment.churn-prod"])
def test_the_database_going_away_mid_apply_leaves_a_whole_state(
    tmp_path: Path, stop_at: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = PostgresServer()  # its own server: this test stops it
    try:
        dsn = server.dsn(server.new_database())
        root = tmp_path / "project"
        (root / "specs").mkdir(parents=True)
        (root / "modelspec.yaml").write_text(PG_CONFIG)
        for name, text in SPECS.items():
            (root / "specs" / name).write_text(text.lstrip("\n"))
        ws = Workspace(root)
        backend = PostgresBackend("shop", dsn)
        written: list[State] = []
        real_write = backend.write

        def recording_write(state: State, *, force: bool = False) -> None:
            real_write(state, force=force)
            written.append(state)

        monkeypatch.setattr(backend, "write", recording_write)
        made, _ = ws.plan()
        graph, artifacts = ws.graph()
        _, diags = execute_apply(
            made, graph, backend, ws.project, artifacts=artifacts, engine=StopServerAt(server, stop_at)
        )
        messages = " ".join(d.message for d in diags)
        assert any(d.code in ("MS505", "MS507") for d in diags), diags
        assert "PostgreSQL state" in messages and PASSWORD not in messages
        server.start()
        stored = PostgresBackend("shop", dsn).read()
        if written:
            assert stored == written[-1]  # the last write that committed, whole
        else:
            assert stored.serial == 0 and not stored.resources  # as before the apply
        no_password_in(root)
    finally:
        server.destroy()


def test_migration_local_to_postgres_to_local_loses_nothing(
    tmp_path: Path, pg_dsn: str, postgres_server: PostgresServer
) -> None:
    local = clone(tmp_path, "local", LOCAL_CONFIG)
    target = local / "specs" / "target.yaml"
    for namespace in ("ml-a", "ml-b", "ml-c"):
        target.write_text(TARGET.replace("ml-prod", namespace))
        assert run("-C", str(local), "apply", "--auto-approve").exit_code == 0
    local_log = (local / ".modelspec" / "audit.jsonl").read_bytes().splitlines()
    moved = run("-C", str(local), "state", "migrate", "--to", "postgres")
    assert moved.exit_code == 0, moved.output
    assert "Migrated 3 serial(s) (current: 3) and 6 audit record(s)" in moved.output
    pg = PostgresBackend("shop", pg_dsn)
    from modelspec.state import LocalFileBackend

    source = LocalFileBackend(local / ".modelspec" / "state.json")
    for serial in (1, 2, 3):
        assert pg.read_serial(serial) == source.read_serial(serial)
    assert pg.audit_log().lines()[:6] == local_log
    # the team now works on PostgreSQL
    (local / "modelspec.yaml").write_text(PG_CONFIG)
    target.write_text(TARGET.replace("ml-prod", "ml-d"))
    assert run("-C", str(local), "apply", "--auto-approve").exit_code == 0
    assert "chain intact" in run("-C", str(local), "audit", "verify").output
    # ... and moves back into a fresh clone: every serial and the whole chain come along
    back = clone(tmp_path, "back", PG_CONFIG)
    returned = run("-C", str(back), "state", "migrate", "--to", "local")
    assert returned.exit_code == 0 and "Migrated 4 serial(s) (current: 4)" in returned.output
    (back / "modelspec.yaml").write_text(LOCAL_CONFIG)
    restored = LocalFileBackend(back / ".modelspec" / "state.json")
    for serial in (1, 2, 3, 4):
        assert restored.read_serial(serial) == pg.read_serial(serial)
    assert restored.read() == pg.read()
    back_log = (back / ".modelspec" / "audit.jsonl").read_bytes().splitlines()
    assert back_log[: len(pg.audit_log().lines())] == pg.audit_log().lines()
    verify = run("-C", str(back), "audit", "verify")
    assert verify.exit_code == 0 and f"{len(back_log)} records, chain intact" in verify.output
    listed = run("-C", str(back), "state", "list")
    assert listed.exit_code == 0 and "target.prod" in listed.output
    # a target holding another project's lineage is refused, and nothing is written to it
    other = clone(tmp_path, "other", LOCAL_CONFIG)
    assert run("-C", str(other), "apply", "--auto-approve").exit_code == 0
    refused = run("-C", str(other), "state", "migrate", "--to", "postgres")
    assert refused.exit_code == 1 and "already holds lineage" in refused.stderr
    assert [s.serial for s in pg.history()] == [1, 2, 3, 4]
    for root in (local, back, other):
        no_password_in(root)
    shutil.rmtree(other)
    database = pg_dsn.rsplit("/", 1)[1]
    for table, column in (("states", "body"), ("audit", "record"), ("locks", "info")):
        found = postgres_server.sql(
            f"SELECT count(*) FROM {SCHEMA}.{table} WHERE {column} LIKE '%{PASSWORD}%'", database
        )
        assert found == "0"


def test_unchained_records_of_the_first_release_are_not_a_break(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({"contract.yaml": CONTRACT, "target.yaml": TARGET})
    log = root / ".modelspec" / "audit.jsonl"
    log.parent.mkdir()
    log.write_text('{"command": "apply", "status": "ok"}\n{"command": "apply", "status": "ok"}\n')
    monkeypatch.chdir(root)
    assert run("apply", "--auto-approve").exit_code == 0
    result = run("audit", "verify")
    assert result.exit_code == 0
    assert "4 records, chain intact (unchained before record 3" in result.output
    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0], lines[1], lines[3]]) + "\n")  # a record removed
    result = run("audit", "verify")
    assert result.exit_code == 1 and "chain broken at record 3" in result.output
