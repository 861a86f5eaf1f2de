"""A real PostgreSQL server for the tests: Debian's binaries, a data directory of its own, free port.

initdb refuses to run as root, so as root the server runs as the `postgres`
user (`runuser -u postgres --`) in a temp directory that user owns. It listens
on a Unix socket in that directory and on 127.0.0.1 with password (SCRAM)
authentication, so the tests connect the way a CI job does and can check that
the password is written nowhere. Skipped, with the reason, where the binaries
are missing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["PG_BIN", "PostgresServer", "pg_dsn", "postgres_server"]

PG_BIN = Path(os.environ.get("MODELSPEC_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
OWNER = "modelspec_owner"  # the role apply runs as: owns each test database
PASSWORD = "pw-" + secrets.token_hex(12)  # the secret no file the tool writes may hold


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One PostgreSQL cluster in its own directory, started and stopped by the tests."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql)")
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="modelspec-pg-"))
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "socket"
        self.socket_dir.mkdir()
        self.port = _free_port()
        self.superuser = "postgres"
        if self.as_root:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.socket_dir, "postgres")
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.as_root:
            shutil.chown(pwfile, "postgres")
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", self.superuser,
            "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )
        pwfile.unlink()
        self.start()
        self.sql(f"CREATE ROLE {OWNER} LOGIN PASSWORD '{PASSWORD}'")

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = ["runuser", "-u", "postgres", "--", *argv] if self.as_root else list(argv)
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.dir, timeout=120)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {done.stdout}{done.stderr}")
        return done

    def start(self) -> None:
        options = (
            f"-k {self.socket_dir} -p {self.port} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=100"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
            "-o", options, "-w", "-t", "60", "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run statement as the superuser over the socket; its output, unaligned."""
        done = self._run(
            str(PG_BIN / "psql"), "-h", str(self.socket_dir), "-p", str(self.port),
            "-U", self.superuser, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", statement,
        )
        return done.stdout.strip()

    def new_database(self, owner: str = OWNER) -> str:
        name = "t_" + secrets.token_hex(6)
        self.sql(f"CREATE DATABASE {name} OWNER {owner}")
        return name

    def dsn(self, database: str, user: str = OWNER, password: str = PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture
def pg_dsn(postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database owned by the apply role, its DSN in MODELSPEC_STATE_DSN."""
    database = postgres_server.new_database()
    dsn = postgres_server.dsn(database)
    for name in list(os.environ):
        if name.startswith("PG"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MODELSPEC_STATE_DSN", dsn)
    yield dsn
    with contextlib.suppress(RuntimeError):
        postgres_server.sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
