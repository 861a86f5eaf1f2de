"""The real PostgreSQL server fixtures for the state tests (tests/support/postgres.py)."""

from postgres import pg_dsn, postgres_server

__all__ = ["pg_dsn", "postgres_server"]
