"""The audit log in PostgreSQL: an append-only table, each record chained to the one before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from modelspec.state.audit import audit_line
from modelspec.state.pgschema import SCHEMA, advisory_key

if TYPE_CHECKING:
    from modelspec.state.postgres import PostgresBackend

__all__ = ["PostgresAuditLog"]

_APPEND_PURPOSE = "modelspec audit append"


class PostgresAuditLog:
    """The `modelspec.audit` rows of one workspace, in `seq` order.

    Each append reads the last record and inserts the next in one transaction,
    under a transaction-level advisory lock, so two appends never chain to the
    same record. A trigger refuses UPDATE, DELETE and TRUNCATE.
    """

    def __init__(self, backend: PostgresBackend) -> None:
        self.backend = backend

    @property
    def where(self) -> str:
        return f"{SCHEMA}.audit ({self.backend.where})"

    def append(self, record: Mapping[str, Any]) -> None:
        self._insert(None, record)

    def extend(self, lines: Sequence[bytes]) -> None:
        if lines:
            self._insert(lines, None)

    def _insert(self, lines: Sequence[bytes] | None, record: Mapping[str, Any] | None) -> None:
        ws = self.backend.workspace
        session = self.backend.session("append to the audit log", writable=True)
        with session as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key(_APPEND_PURPOSE, ws),))
            last = conn.execute(
                f"SELECT seq, record FROM {SCHEMA}.audit WHERE workspace = %s "
                "ORDER BY seq DESC LIMIT 1",
                (ws,),
            ).fetchone()
            seq = int(last[0]) if last else 0
            if lines is None:
                previous = str(last[1]).encode("utf-8") if last else None
                lines = [audit_line(record or {}, previous)]
            with conn.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {SCHEMA}.audit (workspace, seq, record) VALUES (%s, %s, %s)",
                    [(ws, seq + n, line.decode("utf-8")) for n, line in enumerate(lines, 1)],
                )

    def lines(self) -> list[bytes]:
        with self.backend.session("read the audit log", writable=False) as conn:
            if conn.execute(f"SELECT to_regclass('{SCHEMA}.audit')").fetchone() == (None,):
                return []
            rows = conn.execute(
                f"SELECT record FROM {SCHEMA}.audit WHERE workspace = %s ORDER BY seq",
                (self.backend.workspace,),
            ).fetchall()
        return [str(row[0]).encode("utf-8") for row in rows]
