"""The PostgreSQL backend against a real server: credentials, roles, locks, history, audit, schema."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from plan_workspace import CONTRACT, TARGET
from postgres import OWNER, PASSWORD, PostgresServer

from modelspec.cli import cli
from modelspec.state import LockInfo, State, StateError, StateLocked, dumps_state
from modelspec.state.pgconnect import scrub
from modelspec.state.pgschema import MIGRATIONS, SCHEMA
from modelspec.state.postgres import PostgresBackend

CONFIG = "project: shop\nstate: {backend: postgres}\n"

HOLDER = """
import sys, time
from modelspec.state import LockInfo
from modelspec.state.postgres import PostgresBackend

with PostgresBackend("shop", sys.argv[1]).lock(LockInfo.new("apply")) as lock:
    print(lock.id, flush=True)
    time.sleep(600)
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def project(make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project({"contract.yaml": CONTRACT, "target.yaml": TARGET}, config=CONFIG)
    monkeypatch.chdir(root)
    return root


def rows(server: PostgresServer, dsn: str, sql: str) -> str:
    return server.sql(sql, database=dsn.rsplit("/", 1)[1])


def test_without_credentials_plan_says_the_shared_state_is_unavailable(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("PG") or name == "MODELSPEC_STATE_DSN":
            monkeypatch.delenv(name)
    result = run("plan")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("Error: the shared state is unavailable")
    assert "MODELSPEC_STATE_DSN" in lines[0] and "fork" in lines[0]


def test_a_wrong_password_or_a_stopped_server_is_one_line_without_the_password(
    project: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = postgres_server.new_database()
    secret = "wrong-" + PASSWORD
    monkeypatch.setenv("MODELSPEC_STATE_DSN", postgres_server.dsn(database, password=secret))
    result = run("plan")
    assert result.exit_code == 1 and "password authentication failed" in result.stderr
    assert secret not in result.output and PASSWORD not in result.output
    monkeypatch.setenv("MODELSPEC_STATE_DSN", f"postgresql://u:{secret}@127.0.0.1:1/x")
    result = run("apply", "--auto-approve")
    assert result.exit_code == 1 and "cannot connect to the PostgreSQL state" in result.stderr
    assert secret not in result.output and "Traceback" not in result.output


def test_scrub_removes_a_password_libpq_quotes() -> None:
    dsn = "postgresql://me:s3cret@db:5432/x?sslmode=bogus"
    message = f'invalid sslmode value: "bogus" in "{dsn}"; password=s3cret other'
    cleaned = scrub(message, dsn)
    assert "s3cret" not in cleaned and "<MODELSPEC_STATE_DSN>" in cleaned


def test_apply_then_plan_with_a_select_only_role_writes_nothing(
    project: Path, pg_dsn: str, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = "reader_" + os.urandom(3).hex()
    database = pg_dsn.rsplit("/", 1)[1]
    postgres_server.sql(f"CREATE ROLE {reader} LOGIN PASSWORD '{PASSWORD}'")
    # before the first apply there is no schema: the reader plans against an empty state
    monkeypatch.setenv("MODELSPEC_STATE_DSN", postgres_server.dsn(database, user=reader))
    result = run("plan")
    assert result.exit_code == 0, result.output
    assert "2 to create" in result.output or "create" in result.output
    assert rows(postgres_server, pg_dsn, f"SELECT to_regclass('{SCHEMA}.states')") == ""
    monkeypatch.setenv("MODELSPEC_STATE_DSN", pg_dsn)
    assert run("apply", "--auto-approve").exit_code == 0
    # the read-only role of docs/state-backends.md
    for grant in (
        f"GRANT CONNECT ON DATABASE {database} TO {reader}",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {reader}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {reader}",
    ):
        postgres_server.sql(grant, database=database)
    before = rows(postgres_server, pg_dsn, f"SELECT count(*) FROM {SCHEMA}.audit")
    monkeypatch.setenv("MODELSPEC_STATE_DSN", postgres_server.dsn(database, user=reader))
    result = run("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes" in result.output
    assert rows(postgres_server, pg_dsn, f"SELECT count(*) FROM {SCHEMA}.audit") == before
    assert rows(postgres_server, pg_dsn, f"SELECT count(*) FROM {SCHEMA}.locks") == "0"
    # and the reader can really not write: an apply by it is refused, one clear line
    (project / "specs" / "target.yaml").write_text(TARGET.replace("ml-prod", "ml-prod2"))
    result = run("apply", "--auto-approve")
    assert result.exit_code == 1 and "permission denied" in result.stderr
    assert "Traceback" not in result.output


def test_a_killed_holders_lock_is_free_at_once_and_a_live_one_cannot_be_forced(
    pg_dsn: str, postgres_server: PostgresServer
) -> None:
    backend = PostgresBackend("shop", pg_dsn)
    child = subprocess.Popen([sys.executable, "-c", HOLDER, pg_dsn], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        lock_id = child.stdout.readline().strip()
        with pytest.raises(StateLocked) as info:
            backend.lock(LockInfo.new("apply"))
        assert lock_id in str(info.value) and f"pid {child.pid}" in str(info.value)
        with pytest.raises(StateError, match="cannot take a live session's advisory lock"):
            backend.force_unlock(lock_id)
        assert backend.lock_is_live()
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    # the server ends the killed session's lock; its row stays until someone takes the lock
    with backend.lock(LockInfo.new("apply"), timeout=5) as lock:
        assert backend.current_lock() == lock.info
    assert backend.current_lock() is None


def test_force_unlock_removes_a_row_whose_session_has_ended(pg_dsn: str, postgres_server: PostgresServer) -> None:
    backend = PostgresBackend("shop", pg_dsn)
    with backend.lock(LockInfo.new("apply")):
        pass
    stale = LockInfo.new("apply")
    rows(
        postgres_server, pg_dsn,
        f"INSERT INTO {SCHEMA}.locks (workspace, id, info, session_pid) "
        f"VALUES ('shop', '{stale.id}', '{stale.to_json()}', 1)",
    )
    assert backend.current_lock() == stale and not backend.lock_is_live()
    backend.force_unlock(stale.id)
    assert backend.current_lock() is None


def test_a_write_of_another_lineage_or_an_older_serial_is_refused(pg_dsn: str) -> None:
    backend = PostgresBackend("shop", pg_dsn)
    first = State.empty(lineage="a").bump().bump()
    backend.write(first)
    with pytest.raises(StateError, match="holds lineage a, not b"):
        backend.write(State.empty(lineage="b").bump())
    with pytest.raises(StateError, match="refusing to write serial 1 over serial 2"):
        backend.write(State.empty(lineage="a").bump())
    assert backend.read() == first


def test_pull_push_and_history_from_the_command_line(project: Path, pg_dsn: str) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    (project / "specs" / "target.yaml").write_text(TARGET.replace("ml-prod", "ml-prod2"))
    assert run("apply", "--auto-approve").exit_code == 0
    history = run("state", "history").output.splitlines()
    assert [line.split("\t")[0] for line in history] == ["1", "2"]
    first = run("state", "pull", "--serial", "1").output
    assert '"serial": 1' in first and "ml-prod2" not in first
    current = run("state", "pull").output
    assert '"serial": 2' in current and "ml-prod2" in current
    assert "ml-prod\"" in run("state", "show", "target.prod", "--serial", "1", "--format", "json").output
    saved = project / "serial1.json"
    saved.write_text(first)
    refused = run("state", "push", str(saved))
    assert refused.exit_code == 1 and "not newer than the stored serial 2" in refused.stderr
    forced = run("state", "push", str(saved), "--force")
    assert forced.exit_code == 0 and "as serial 3" in forced.output
    assert '"serial": 3' in run("state", "pull").output
    assert "ml-prod2" not in run("state", "pull").output
    verify = run("audit", "verify")
    assert verify.exit_code == 0 and "3 records" not in verify.output
    assert "chain intact" in verify.output and "modelspec.audit" in verify.output
    assert PASSWORD not in verify.output


def test_the_audit_table_is_append_only_and_verify_finds_an_edit(
    project: Path, pg_dsn: str, postgres_server: PostgresServer
) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    (project / "specs" / "target.yaml").write_text(TARGET.replace("ml-prod", "ml-prod2"))
    assert run("apply", "--auto-approve").exit_code == 0
    ok = run("audit", "verify")
    assert ok.exit_code == 0 and "4 records, chain intact" in ok.output
    with pytest.raises(RuntimeError, match="append-only"):
        rows(postgres_server, pg_dsn, f"DELETE FROM {SCHEMA}.audit WHERE seq = 2")
    # the table owner can still disable the trigger: the chain shows what was done
    rows(
        postgres_server, pg_dsn,
        f"ALTER TABLE {SCHEMA}.audit DISABLE TRIGGER audit_append_only; "
        f"UPDATE {SCHEMA}.audit SET record = replace(record, '\"ok\"', '\"failed\"') WHERE seq = 2",
    )
    broken = run("audit", "verify")
    assert broken.exit_code == 1
    assert "chain broken at record 3" in broken.output and "record 2 was changed" in broken.output


def test_an_older_schema_is_migrated_forward_and_a_newer_one_refused(
    pg_dsn: str, postgres_server: PostgresServer
) -> None:
    database = pg_dsn.rsplit("/", 1)[1]
    statements = [*MIGRATIONS[1], f"INSERT INTO {SCHEMA}.schema_version VALUES (1)"]
    statements += [
        f"INSERT INTO {SCHEMA}.workspaces (workspace, lineage, serial) VALUES ('shop', 'L', 1)",
    ]
    state = State.empty(lineage="L").bump()
    body = dumps_state(state).replace("'", "''")
    statements.append(
        f"INSERT INTO {SCHEMA}.states (workspace, serial, lineage, body, sha256) "
        f"VALUES ('shop', 1, 'L', '{body}', 'x')"
    )
    postgres_server.sql(f"SET ROLE {OWNER}; " + "; ".join(statements), database)
    backend = PostgresBackend("shop", pg_dsn)
    assert backend.read() == state  # a reader reads the older schema as it is
    assert backend.audit_log().lines() == []
    backend.audit_log().append({"command": "test"})  # a writer migrates it first
    assert postgres_server.sql(f"SELECT max(version) FROM {SCHEMA}.schema_version", database) == "2"
    assert backend.read() == state
    postgres_server.sql(f"INSERT INTO {SCHEMA}.schema_version VALUES (99)", database)
    with pytest.raises(StateError, match=r"schema version 99.*upgrade modelspec"):
        PostgresBackend("shop", pg_dsn).read()
