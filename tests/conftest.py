"""Shared fixtures: small projects written into tmp_path."""

from __future__ import annotations

import signal
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import pytest

# the example-project fixtures of the engine, learn, monitoring, registry and serving tests
pytest_plugins = ["engine_fixtures"]

ProjectFactory = Callable[[dict[str, str]], Path]

# The day every test runs on: the example's waiver expires on 2027-06-30, and
# a suite that read the real date would start failing on the day it nears.
# tests/test_clock.py runs the example a year later on purpose.
PINNED_TODAY = "2026-11-27"
PINNED_NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin modelspec's clock: the day for this process and every modelspec subprocess a test
    starts (MODELSPEC_TODAY), and the time of day in this process (clock.utc_now, the one seam
    every wall-clock read in src/ goes through; tests/test_architecture.py holds it to that)."""
    from modelspec import clock

    monkeypatch.setenv("MODELSPEC_TODAY", PINNED_TODAY)
    monkeypatch.setattr(clock, "utc_now", lambda: PINNED_NOW)


@pytest.fixture
def make_project(tmp_path: Path) -> ProjectFactory:
    """Write modelspec.yaml and the given spec files (path under specs/ -> YAML text)."""

    def make(files: dict[str, str], config: str = "project: test\n") -> Path:
        root = tmp_path / "project"
        (root / "specs").mkdir(parents=True, exist_ok=True)
        (root / "modelspec.yaml").write_text(config, encoding="utf-8")
        for rel, text in files.items():
            path = root / "specs" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return make


@pytest.fixture
def example_project(tmp_path: Path) -> Path:
    """The example project that `modelspec init` writes (specs, config, schemas; no datasets)."""
    from modelspec.examples.scaffold import project_files, write_files

    root = tmp_path / "example"
    write_files(root, project_files())
    return root


@pytest.fixture
def no_hang() -> Iterator[None]:
    """A test that blocks (on a FIFO, say) fails after 20 s instead of hanging the suite."""

    def timeout(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the command hung on a hostile input")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
