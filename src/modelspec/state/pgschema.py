"""The PostgreSQL state schema: created and migrated forward by modelspec, versioned in a table."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from modelspec.state.model import StateError

if TYPE_CHECKING:
    import psycopg

__all__ = ["LATEST_VERSION", "MIGRATIONS", "SCHEMA", "advisory_key", "ensure_schema", "schema_version"]

SCHEMA = "modelspec"

# version N -> the statements that turn a version N-1 schema into version N, run in one transaction
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
        f"""CREATE TABLE {SCHEMA}.schema_version (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now())""",
        # the current serial of each workspace (a project, by its name in modelspec.yaml)
        f"""CREATE TABLE {SCHEMA}.workspaces (
            workspace text PRIMARY KEY,
            lineage text NOT NULL,
            serial bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now())""",
        # every serial ever written: the state file's text, as `state pull` prints it
        f"""CREATE TABLE {SCHEMA}.states (
            workspace text NOT NULL,
            serial bigint NOT NULL,
            lineage text NOT NULL,
            body text NOT NULL,
            sha256 text NOT NULL,
            written_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (workspace, serial))""",
        # who holds the session advisory lock of a workspace (the lock itself is the server's)
        f"""CREATE TABLE {SCHEMA}.locks (
            workspace text PRIMARY KEY,
            id text NOT NULL,
            info text NOT NULL,
            session_pid integer NOT NULL,
            acquired_at timestamptz NOT NULL DEFAULT now())""",
    ),
    2: (
        # the audit log: append-only, each record's text names the digest of the one before
        f"""CREATE TABLE {SCHEMA}.audit (
            workspace text NOT NULL,
            seq bigint NOT NULL,
            record text NOT NULL,
            written_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (workspace, seq))""",
        f"""CREATE FUNCTION {SCHEMA}.audit_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the modelspec audit log is append-only (% refused)', TG_OP;
            END $$""",
        f"""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.audit
            FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.audit_append_only()""",
        f"""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {SCHEMA}.audit
            FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.audit_append_only()""",
    ),
}
LATEST_VERSION = max(MIGRATIONS)
_MIGRATION_LOCK = "modelspec schema migration"


def advisory_key(*parts: str) -> int:
    """A signed 64-bit advisory lock key drawn from parts (a purpose and a workspace)."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def schema_version(conn: psycopg.Connection[Any]) -> int:
    """The version of the schema in this database; 0 when modelspec has not created it yet."""
    row = conn.execute(f"SELECT to_regclass('{SCHEMA}.schema_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version").fetchone()
    return int(found[0]) if found and found[0] is not None else 0


def ensure_schema(conn: psycopg.Connection[Any], *, writable: bool, where: str) -> int:
    """Check the schema version, migrating it forward when writable; the version now in place.

    A reader (plan with a SELECT-only role) never creates or changes anything: it
    reads what is there. A schema newer than this modelspec is refused. Migrations
    run one at a time (an advisory transaction lock), each in one transaction.
    """
    version = schema_version(conn)
    if version > LATEST_VERSION:
        raise StateError(
            f"the PostgreSQL state ({where}) has schema version {version}, but this modelspec "
            f"knows at most version {LATEST_VERSION}; upgrade modelspec to use it"
        )
    if version == LATEST_VERSION or not writable:
        return version
    import psycopg

    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key(_MIGRATION_LOCK),))
            version = schema_version(conn)  # another process may have migrated meanwhile
            for target in range(version + 1, LATEST_VERSION + 1):
                for statement in MIGRATIONS[target]:
                    conn.execute(statement)  # fixed DDL, no input
                conn.execute(
                    f"INSERT INTO {SCHEMA}.schema_version (version) VALUES (%s)", (target,)
                )
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StateError(
            f"cannot create or migrate the modelspec schema in the PostgreSQL state ({where}): "
            f"{' '.join(str(exc).split())}; run `modelspec apply` once with a role that owns "
            "the database or may create schemas in it (see docs/state-backends.md)"
        ) from None
    return LATEST_VERSION
