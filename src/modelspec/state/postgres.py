"""The PostgreSQL state backend: every serial kept, one transaction a write, session advisory locks."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from modelspec.state.backend import SerialInfo
from modelspec.state.fileformat import dumps_state, loads_state
from modelspec.state.lock import Lock, LockIdMismatch, LockInfo, NotLocked, StateLocked
from modelspec.state.model import State, StateError
from modelspec.state.pgaudit import PostgresAuditLog
from modelspec.state.pgconnect import connect, describe_target, dsn_from_environment, scrub
from modelspec.state.pgschema import SCHEMA, advisory_key, ensure_schema

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresBackend", "SessionHolder"]

_POLL_SECONDS = 0.1
_LOCK_PURPOSE = "modelspec state lock"


@dataclass(frozen=True)
class SessionHolder(LockInfo):
    """The holder of a workspace's advisory lock that names itself in no row (it is taking it)."""

    session_pid: int = 0

    def describe(self) -> str:
        return f"lock held by PostgreSQL session {self.session_pid}, which names no holder yet"


class PostgresBackend:
    """State of one workspace (the project's name) in the `modelspec` schema of a database.

    The DSN comes from MODELSPEC_STATE_DSN (or libpq's PG* variables) when the
    backend is first used, never from a file, and is never written anywhere.
    Reads need only SELECT; the schema is created or migrated on the first
    lock, write or audit record.
    """

    snapshot_reads = True  # each read is one statement: plan reads without the lock

    def __init__(self, workspace: str, dsn: str | None = None) -> None:
        self.workspace = workspace
        self._dsn = dsn
        self._conn: psycopg.Connection[Any] | None = None
        self._version = -1  # the schema version seen on _conn; -1 before it is checked
        self._empty: State | None = None
        self._lock_pid: int | None = None  # the server pid of our lock's session, while held

    # -- connections --------------------------------------------------------------------

    @property
    def dsn(self) -> str:
        if self._dsn is None:
            self._dsn = dsn_from_environment()
        return self._dsn

    @property
    def where(self) -> str:
        return f"workspace {self.workspace!r} at {describe_target(self.dsn)}"

    @contextlib.contextmanager
    def session(self, doing: str, *, writable: bool) -> Iterator[psycopg.Connection[Any]]:
        """The data connection, its schema checked; a psycopg error is a StateError naming doing."""
        import psycopg

        dsn = self.dsn
        if self._conn is None or self._conn.closed:
            self._conn, self._version = connect(dsn), -1
        conn = self._conn
        try:
            if self._version < _latest():  # until it is the latest, look again: others migrate
                self._version = ensure_schema(conn, writable=writable, where=self.where)
            yield conn
        except psycopg.Error as exc:
            if conn.closed or conn.broken:
                self._conn = None
            raise self._failure(doing, exc) from None

    def _failure(self, doing: str, exc: Exception) -> StateError:
        return StateError(
            f"cannot {doing} in the PostgreSQL state ({self.where}): {scrub(str(exc), self.dsn)}"
        )

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    # -- state and history --------------------------------------------------------------

    def read(self) -> State:
        """The current state; an empty one (one lineage per backend) when none is stored."""
        with self.session("read the state", writable=False) as conn:
            if self._version < 1:
                return self._empty_state()
            row = conn.execute(
                f"SELECT s.serial, s.body FROM {SCHEMA}.workspaces w JOIN {SCHEMA}.states s "
                "ON s.workspace = w.workspace AND s.serial = w.serial WHERE w.workspace = %s",
                (self.workspace,),
            ).fetchone()
        if row is None:
            return self._empty_state()
        return loads_state(row[1], f"{self.where}, serial {row[0]}")

    def read_serial(self, serial: int) -> State:
        """The state as it was at serial; a StateError naming the kept serials otherwise."""
        with self.session("read the state history", writable=False) as conn:
            row = None
            if self._version >= 1:
                row = conn.execute(
                    f"SELECT body FROM {SCHEMA}.states WHERE workspace = %s AND serial = %s",
                    (self.workspace, serial),
                ).fetchone()
        if row is None:
            kept = [s.serial for s in self.history()]
            raise StateError(_not_kept(serial, kept, self.where))
        return loads_state(row[0], f"{self.where}, serial {serial}")

    def history(self) -> list[SerialInfo]:
        """Every kept serial, oldest first."""
        with self.session("read the state history", writable=False) as conn:
            if self._version < 1:
                return []
            rows = conn.execute(
                "SELECT serial, lineage, to_char(written_at AT TIME ZONE 'UTC', "
                f"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM {SCHEMA}.states "
                "WHERE workspace = %s ORDER BY serial",
                (self.workspace,),
            ).fetchall()
        return [SerialInfo(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def write(self, state: State, *, force: bool = False) -> None:
        """Store state in one transaction, refusing another lineage or an older serial unless force.

        While this backend holds the lock, the write also checks the lock's
        session still holds it: a server restart in between ends the lock.
        """
        body = dumps_state(state).encode("utf-8", "backslashreplace").decode("utf-8")
        digest = "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()
        with self.session("write the state", writable=True) as conn, conn.transaction():
            self._check_lock_held(conn)
            row = conn.execute(
                f"SELECT lineage, serial FROM {SCHEMA}.workspaces WHERE workspace = %s FOR UPDATE",
                (self.workspace,),
            ).fetchone()
            if row is not None and not force:
                _check_successor(str(row[0]), int(row[1]), state, self.where)
            self._store(conn, state, body, digest)
            conn.execute(
                f"INSERT INTO {SCHEMA}.workspaces (workspace, lineage, serial) VALUES (%s, %s, %s) "
                "ON CONFLICT (workspace) DO UPDATE SET lineage = EXCLUDED.lineage, "
                "serial = EXCLUDED.serial, updated_at = now()",
                (self.workspace, state.lineage, state.serial),
            )

    def import_history(self, states: Sequence[State]) -> None:
        """Store every state (a migration's source history) in one transaction; the last is current."""
        if not states:
            return
        with self.session("import the state history", writable=True) as conn, conn.transaction():
            row = conn.execute(
                f"SELECT lineage FROM {SCHEMA}.workspaces WHERE workspace = %s FOR UPDATE",
                (self.workspace,),
            ).fetchone()
            if row is not None and str(row[0]) != states[-1].lineage:
                raise StateError(_other_lineage(str(row[0]), states[-1].lineage, self.where))
            for state in states:
                body = dumps_state(state).encode("utf-8", "backslashreplace").decode("utf-8")
                self._store(conn, state, body, "sha256:" + hashlib.sha256(body.encode()).hexdigest())
            last = max(states, key=lambda s: s.serial)
            conn.execute(
                f"INSERT INTO {SCHEMA}.workspaces (workspace, lineage, serial) VALUES (%s, %s, %s) "
                "ON CONFLICT (workspace) DO UPDATE SET lineage = EXCLUDED.lineage, "
                "serial = EXCLUDED.serial, updated_at = now()",
                (self.workspace, last.lineage, last.serial),
            )

    def _store(self, conn: psycopg.Connection[Any], state: State, body: str, digest: str) -> None:
        conn.execute(
            f"INSERT INTO {SCHEMA}.states (workspace, serial, lineage, body, sha256) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (workspace, serial) DO UPDATE SET "
            "lineage = EXCLUDED.lineage, body = EXCLUDED.body, sha256 = EXCLUDED.sha256, "
            "written_at = now()",
            (self.workspace, state.serial, state.lineage, body, digest),
        )

    def _empty_state(self) -> State:
        if self._empty is None:
            self._empty = State.empty()
        return self._empty

    def _check_lock_held(self, conn: psycopg.Connection[Any]) -> None:
        if self._lock_pid is None:
            return
        row = conn.execute(_HELD_BY + " AND pid = %s", (*self._key_parts(), self._lock_pid))
        if row.fetchone() is None:
            raise StateError(
                f"the state lock's database session ({self.where}) has ended, so the lock is no "
                "longer held (was the server restarted?); nothing more is written: run "
                "`modelspec apply` again"
            )

    # -- the audit log ------------------------------------------------------------------

    def audit_log(self) -> PostgresAuditLog:
        return PostgresAuditLog(self)

    # -- locks ----------------------------------------------------------------------------

    def _key(self) -> int:
        return advisory_key(_LOCK_PURPOSE, self.workspace)

    def _key_parts(self) -> tuple[int, int]:
        """The key as pg_locks shows an int8 advisory lock: classid (high 32 bits), objid (low)."""
        unsigned = self._key() & 0xFFFFFFFFFFFFFFFF
        return unsigned >> 32, unsigned & 0xFFFFFFFF

    def lock(self, info: LockInfo, timeout: float = 0) -> Lock:
        """Take the workspace's session advisory lock on a connection of its own, and name us.

        The server releases the lock the moment that session ends, so a killed
        holder never leaves a lock behind; the row naming the holder is replaced
        by the next one to take the lock.
        """
        import psycopg

        conn = connect(self.dsn)
        deadline = time.monotonic() + timeout
        try:
            ensure_schema(conn, writable=True, where=self.where)
            while not conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key(),)).fetchone()[0]:  # type: ignore[index]
                holder = self._holder(conn)
                if time.monotonic() >= deadline:
                    raise StateLocked(holder, stale=False)
                time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
            pid = conn.execute(
                f"INSERT INTO {SCHEMA}.locks (workspace, id, info, session_pid) "
                "VALUES (%s, %s, %s, pg_backend_pid()) ON CONFLICT (workspace) DO UPDATE SET "
                "id = EXCLUDED.id, info = EXCLUDED.info, session_pid = EXCLUDED.session_pid, "
                "acquired_at = now() RETURNING session_pid",
                (self.workspace, info.id, info.to_json()),
            ).fetchone()[0]  # type: ignore[index]
        except psycopg.Error as exc:
            conn.close()
            raise self._failure("take the state lock", exc) from None
        except BaseException:
            conn.close()
            raise
        self._lock_pid = int(pid)
        return Lock(info, lambda: self._release(conn, info.id))

    def _release(self, conn: psycopg.Connection[Any], lock_id: str) -> None:
        self._lock_pid = None
        with contextlib.suppress(Exception):  # a server gone away has released it already
            conn.execute(
                f"DELETE FROM {SCHEMA}.locks WHERE workspace = %s AND id = %s",
                (self.workspace, lock_id),
            )
            conn.execute("SELECT pg_advisory_unlock(%s)", (self._key(),))
        with contextlib.suppress(Exception):
            conn.close()

    def _holder(self, conn: psycopg.Connection[Any]) -> LockInfo:
        """Who holds the advisory lock: its row, or the session when the row is not written yet."""
        row = conn.execute(
            f"SELECT info, session_pid FROM {SCHEMA}.locks WHERE workspace = %s",
            (self.workspace,),
        ).fetchone()
        held = conn.execute(_HELD_BY, self._key_parts()).fetchone()
        session = int(held[0]) if held else 0
        if row is not None and int(row[1]) == session:
            with contextlib.suppress(ValueError, TypeError):
                return LockInfo.from_json(row[0])
        return SessionHolder(
            id=f"session-{session}", user="unknown", host="unknown", pid=1,
            command="unknown", created="unknown", session_pid=session,
        )

    def current_lock(self) -> LockInfo | None:
        """The holder the lock row names (a stale row too: see lock_is_live), or None."""
        with self.session("read the state lock", writable=False) as conn:
            if self._version < 1:
                return None
            row = conn.execute(
                f"SELECT info FROM {SCHEMA}.locks WHERE workspace = %s", (self.workspace,)
            ).fetchone()
            if row is None:
                return self._holder(conn) if self._live_session(conn) else None
        try:
            return LockInfo.from_json(row[0])
        except (ValueError, TypeError) as exc:
            raise StateError(f"the lock row of {self.where} is not one modelspec wrote: {exc}") from None

    def lock_is_live(self) -> bool:
        """Whether a database session holds the workspace's advisory lock right now."""
        with self.session("read the state lock", writable=False) as conn:
            return self._live_session(conn) is not None

    def _live_session(self, conn: psycopg.Connection[Any]) -> int | None:
        held = conn.execute(_HELD_BY, self._key_parts()).fetchone()
        return int(held[0]) if held else None

    def force_unlock(self, lock_id: str) -> None:
        """Remove a holder row whose session has ended; a live session's lock cannot be taken."""
        holder = self.current_lock()
        if holder is None:
            raise NotLocked(lock_id)
        if not holder.answers_to(lock_id):
            raise LockIdMismatch(lock_id, holder)
        with self.session("remove the state lock", writable=True) as conn:
            session = self._live_session(conn)
            if session is not None:
                raise StateError(
                    f"cannot remove {holder.describe()}: PostgreSQL session {session} holds it "
                    "and is alive, and force-unlock cannot take a live session's advisory lock; "
                    "the server releases it the moment that session ends: stop that command, "
                    f"or end its session with `SELECT pg_terminate_backend({session})`"
                )
            conn.execute(
                f"DELETE FROM {SCHEMA}.locks WHERE workspace = %s AND id = %s",
                (self.workspace, holder.id),
            )


# the server pid of the session holding an int8 advisory lock (classid, objid) in this database
_HELD_BY = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
    "AND classid = %s AND objid = %s "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def _latest() -> int:
    from modelspec.state.pgschema import LATEST_VERSION

    return LATEST_VERSION


def _check_successor(lineage: str, serial: int, state: State, where: str) -> None:
    if lineage != state.lineage:
        raise StateError(_other_lineage(lineage, state.lineage, where))
    if state.serial < serial:
        raise StateError(
            f"refusing to write serial {state.serial} over serial {serial} in the PostgreSQL "
            f"state ({where}): another apply wrote since this one read it; run `modelspec plan` "
            "again"
        )


def _other_lineage(stored: str, given: str, where: str) -> str:
    return (
        f"the PostgreSQL state ({where}) holds lineage {stored}, not {given}: it is another "
        "project's state history; use another project name, or an empty database"
    )


def _not_kept(serial: int, kept: list[int], where: str) -> str:
    if not kept:
        return f"no serial {serial} in the state ({where}): no state is stored yet"
    return f"no serial {serial} in the state ({where}); serials {kept[0]} to {kept[-1]} are kept"
