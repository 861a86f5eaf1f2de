"""Connecting to the PostgreSQL state: the DSN from the environment only, errors without secrets."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from modelspec.state.model import StateError

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "DSN_VARIABLE",
    "StateUnavailable",
    "connect",
    "describe_target",
    "dsn_from_environment",
    "scrub",
]

DSN_VARIABLE = "MODELSPEC_STATE_DSN"
# libpq's own variables that name a server or database: any of them set means "configured"
_PG_VARIABLES = (
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGSERVICEFILE",
)
_CONNECT_TIMEOUT_SECONDS = 10
_URI_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@")
_KV_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


class StateUnavailable(StateError):
    """The shared state cannot be reached: no connection configured, no driver, no server."""


def dsn_from_environment(env: Mapping[str, str] | None = None) -> str:
    """MODELSPEC_STATE_DSN, or "" for libpq's PG* variables; StateUnavailable when neither is set."""
    env = os.environ if env is None else env
    dsn = env.get(DSN_VARIABLE, "").strip()
    if dsn:
        return dsn
    if any(env.get(name) for name in _PG_VARIABLES):
        return ""
    raise StateUnavailable(
        f"the shared state is unavailable: state.backend is postgres, but neither {DSN_VARIABLE} "
        "nor libpq's PG* variables (PGHOST, PGDATABASE, ...) are set; set "
        f"{DSN_VARIABLE} to the database's connection string (in CI, from a secret: a pull "
        "request from a fork gets none, so its plan cannot read the shared state)"
    )


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StateUnavailable(
            "state.backend is postgres, but the PostgreSQL driver is not installed: install "
            "modelspec-cli with its `postgres` extra: pip install 'modelspec-cli[postgres]'"
        ) from None
    return psycopg


def connect(dsn: str, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    """A connection to the state database; StateUnavailable (never naming a password) otherwise."""
    driver = _driver()
    options: dict[str, Any] = {"autocommit": autocommit}
    if "connect_timeout" not in dsn and not os.environ.get("PGCONNECT_TIMEOUT"):
        options["connect_timeout"] = _CONNECT_TIMEOUT_SECONDS
    try:
        conn: psycopg.Connection[Any] = driver.connect(dsn, **options)
    except driver.Error as exc:
        raise StateUnavailable(
            f"cannot connect to the PostgreSQL state ({describe_target(dsn)}): "
            f"{scrub(str(exc), dsn)}; check {DSN_VARIABLE} (or the PG* variables) and that "
            "the server is running"
        ) from None
    return conn


def describe_target(dsn: str) -> str:
    """Where dsn points, without its password: `host H, port P, database D, user U`."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        params = conninfo_to_dict(dsn)
    except Exception:  # a malformed DSN: libpq's own error says what is wrong with it
        return f"from {DSN_VARIABLE}" if dsn else "from the PG* variables"
    env = os.environ
    parts = {
        "host": params.get("host") or env.get("PGHOST") or "the default socket",
        "port": params.get("port") or env.get("PGPORT") or "5432",
        "database": params.get("dbname") or env.get("PGDATABASE") or "the default",
        "user": params.get("user") or env.get("PGUSER") or "the default",
    }
    return ", ".join(f"{key} {value}" for key, value in parts.items())


def scrub(message: str, dsn: str) -> str:
    """message with the DSN and any password in it replaced: libpq quotes a malformed DSN whole."""
    text = " ".join(message.split())
    secrets = [s for s in (os.environ.get("PGPASSWORD", ""), _password_of(dsn)) if s]
    if dsn:
        text = text.replace(dsn, f"<{DSN_VARIABLE}>")
    for secret in secrets:
        text = text.replace(secret, "***")
    text = _URI_PASSWORD.sub(r"\1:***@", text)
    return _KV_PASSWORD.sub(r"\1***", text)


def _password_of(dsn: str) -> str:
    try:
        from psycopg.conninfo import conninfo_to_dict

        return str(conninfo_to_dict(dsn).get("password") or "")
    except Exception:  # malformed: look for the password where a URI or key=value puts it
        for pattern in (r"://[^:/@\s]*:([^@\s]*)@", r"password\s*=\s*'?([^'\s]+)"):
            found = re.search(pattern, dsn, re.IGNORECASE)
            if found:
                return found.group(1)
        return ""
