"""`--state-backend postgres`: apply and no-change plan/apply on PostgreSQL beside the local file.

The same generated project is applied twice, once with the local backend and
once with `state: {backend: postgres}` (a fresh database each N), in the same
run, so the ratios compare like with like. The server is MODELSPEC_STATE_DSN's
when --state-dsn or that variable is given, else the test suite's own
throwaway server (tests/support/postgres.py, Debian's PostgreSQL 15).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from measure import best_process, run_process

__all__ = ["measure_backends", "postgres_dsns"]

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def postgres_dsns(dsn: str | None) -> Iterator[Callable[[], str]]:
    """A factory of DSNs, each to an empty database: the given server's, or one started here."""
    if dsn:
        yield lambda: dsn
        return
    sys.path.insert(0, str(REPO / "tests" / "support"))
    from postgres import PostgresServer  # the tests' server: initdb as the postgres user

    server = PostgresServer()
    try:
        yield lambda: server.dsn(server.new_database())
    finally:
        server.destroy()


def measure_backends(
    row: dict[str, Any],
    project: Path,
    repeat: int,
    timeout: float,
    env: dict[str, str],
    new_dsn: Callable[[], str],
    argv: Callable[..., list[str]],
    record: Callable[[dict[str, Any], str, float, str], None],
    fail: Callable[[dict[str, Any], str], None],
) -> None:
    """apply, no-change plan and no-change apply per backend; ratios postgres / local."""
    for backend in ("local", "postgres"):
        copy = project.with_name(f"{project.name}-{backend}")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".modelspec", "generated"))
        config = copy / "modelspec.yaml"
        config.write_text(config.read_text() + f"state: {{backend: {backend}}}\n")
        run_env = {**env, "MODELSPEC_STATE_DSN": new_dsn()} if backend == "postgres" else env
        apply = run_process(argv("-C", str(copy), "apply", "--auto-approve"), run_env, timeout)
        if apply.returncode != 0:
            fail(row, f"{backend}: apply failed (exit {apply.returncode}): {apply.tail()}")
            return
        record(row, f"{backend}_apply_s", apply.seconds, f"{backend}: apply")
        steps = {
            "plan": argv("-C", str(copy), "plan", "--format", "json", "--detailed-exitcode"),
            "noop_apply": argv("-C", str(copy), "apply", "--auto-approve"),
        }
        for step, command in steps.items():
            run, timing, _ = best_process(command, repeat, run_env, timeout=timeout)
            if run.returncode != 0:
                fail(row, f"{backend}: no-change {step} failed (exit {run.returncode}): {run.tail()}")
                return
            record(row, f"{backend}_{step}_s", timing.best, f"{backend}: no-change {step}")
        shutil.rmtree(copy, ignore_errors=True)
    for key in ("apply", "plan", "noop_apply"):
        ratio = row[f"postgres_{key}_s"] / row[f"local_{key}_s"]
        row[f"postgres_{key}_ratio"] = ratio
        print(f"  postgres/local {key}: {ratio:.2f}x (target <= 1.5x)", file=sys.stderr, flush=True)
