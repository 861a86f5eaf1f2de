"""The fuzzer: a short fixed-seed run over the example's specs, config and data, and its oracles on planted breaks.

`make fuzz` runs the same loop for 10,000 cases (tests/fuzz/fuzz_runner.py).
"""

from __future__ import annotations

import importlib
import io
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import click
import pytest

HERE = Path(__file__).resolve().parent
SUITE_SEED = 20261127
SUITE_CASES = int(os.environ.get("FUZZ_SUITE_CASES", "100"))


def _fuzz_module(name: str) -> ModuleType:
    sys.path.insert(0, str(HERE))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(HERE))


runner = _fuzz_module("fuzz_runner")
case = _fuzz_module("fuzz_case")
values = _fuzz_module("fuzz_values")


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    out = io.StringIO()
    yield runner.Fuzzer(tmp_path_factory.mktemp("fuzz"), SUITE_SEED, case.Settings(heavy=False), out=out)


def test_a_short_fuzz_run_finds_no_break(fuzzer: object) -> None:
    report = fuzzer.run(0, SUITE_CASES)  # type: ignore[attr-defined]
    assert report.cases == SUITE_CASES
    assert not report.findings, runner.summary(report) + "\n\n" + fuzzer.out.getvalue()  # type: ignore[attr-defined]


def test_a_case_is_the_same_every_time(fuzzer: object) -> None:
    tree_digest = _fuzz_module("fuzz_oracles").tree_digest
    digests = []
    for _ in range(2):
        case_dir, _, mutations, _ = fuzzer.prepare(17)  # type: ignore[attr-defined]
        digests.append((tree_digest(case_dir), [m.describe() for m in mutations]))
    assert digests[0] == digests[1]


# -- the oracles, on a stand-in CLI whose commands each commit one break ---------------------------


@click.group()
@click.option("-C", "chdir")
def planted(chdir: str) -> None:
    os.chdir(chdir)


@planted.command()
def fine() -> None:
    click.echo("all good, `@fuzz-mention` in code")


@planted.command()
def crash() -> None:
    raise RuntimeError("planted")


@planted.command("exit-3")
def exit_3() -> None:
    sys.exit(3)


@planted.command("write-outside")
def write_outside() -> None:
    Path("../outside/planted.txt").write_text("x", encoding="utf-8")


@planted.command("mkdir-outside")
def mkdir_outside() -> None:
    try:
        os.mkdir("../outside/made")
    except PermissionError:
        click.echo("refused")


@planted.command("touch-state")
def touch_state() -> None:
    Path(".modelspec").mkdir(exist_ok=True)
    Path(".modelspec/state.json").write_text("{}", encoding="utf-8")


@planted.command()
def sleep() -> None:
    time.sleep(5)


@planted.command()
@click.option("--format", "fmt")
def say(fmt: str) -> None:
    click.echo({"leak": values.SECRET, "inject": "::error title=fuzz::injected", "json": '{"a": NaN}',
                "markdown": f"hi {values.MENTION}", "junit": "<testsuite>"}[fmt])


@pytest.mark.parametrize(
    ("argv", "fmt", "kind"),
    [
        (("fine",), "markdown", None),
        (("crash",), "text", "exception"),
        (("exit-3",), "text", "exit 3"),
        (("write-outside",), "text", "write outside the project"),
        (("mkdir-outside",), "text", "write outside the project"),
        (("touch-state",), "text", "read-only command changed the project"),
        (("sleep",), "text", "hang"),
        (("say", "--format", "leak"), "text", "read outside the project"),
        (("say", "--format", "inject"), "text", "workflow-command injection"),
        (("say", "--format", "json"), "json", "invalid JSON output"),
        (("say", "--format", "markdown"), "markdown", "markdown injection"),
        (("say", "--format", "junit"), "junit", "invalid XML output"),
    ],
)
def test_each_oracle_catches_its_break(tmp_path: Path, argv: tuple[str, ...], fmt: str, kind: str | None) -> None:
    (tmp_path / "project").mkdir()
    case.make_outside(tmp_path / "outside")
    settings = case.Settings(seconds=0.5, hard_seconds=30)
    outcome = case.run_command(planted, tmp_path, case.Command(argv, fmt), settings, None)
    kinds = [b.kind for b in outcome.breaks]
    assert kinds == ([kind] if kind else []), [b.detail for b in outcome.breaks]
    assert not (tmp_path / "outside" / "planted.txt").exists()  # refused, not only reported
    assert not (tmp_path / "outside" / "made").exists()
