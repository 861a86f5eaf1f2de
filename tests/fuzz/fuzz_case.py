"""One fuzz case: a mutated copy of the example project, the commands run on it, and the breaks they show."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import click
import fuzz_oracles as O
import fuzz_values as V
from click.testing import CliRunner
from fuzz_mutate import Mutation

TODAY = "2026-11-27"  # the suite's pinned day (tests/conftest.py): the example's waiver is live
ENV: dict[str, str | None] = {
    "MODELSPEC_TODAY": TODAY,
    "MODELSPEC_ALLOWED_ROOTS": None,
    "NO_COLOR": "1",
    "COLUMNS": "100",
    "GIT_CONFIG_NOSYSTEM": "1",
}
GIT_IDENTITY = ["-c", "user.name=fuzz", "-c", "user.email=fuzz@example.invalid", "-c", "commit.gpgsign=false"]

CONTRACTS = ("diabetes-cohort", "breast-cancer-biopsies")
DEPLOYMENTS = ("biopsy-classifier-prod", "biopsy-classifier-staging", "diabetes-progression-batch")
DATA_OF = {"data/diabetes.csv": "diabetes-cohort", "data/breast_cancer.csv": "breast-cancer-biopsies"}
MONITORED = {"data/diabetes.csv": "diabetes-progression-batch", "data/breast_cancer.csv": "biopsy-classifier-prod"}
ADDRESSES = ("model.diabetes-progression-regressor", "deployment.biopsy-classifier-prod", "waiver.biopsy-prod-single-replica")
HOSTILE_ARGS = ("../outside/secret", "model.../../x", "\x00", "a" * 5000, "model.", ".", "::error title=fuzz::injected")


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    fmt: str = "text"
    writes: bool = False  # apply and fmt may change the project; every other command may not

    @property
    def name(self) -> str:
        words = [a for a in self.argv if not a.startswith("-")]
        return " ".join(words[:2]) if words[:1] in (["state"], ["data"]) else words[0]

    def shell(self) -> str:
        import shlex

        return " ".join(shlex.quote(a) for a in self.argv)


@dataclass(frozen=True)
class Break:
    kind: str
    key: str
    command: Command
    detail: str


@dataclass
class Outcome:
    command: Command
    exit_code: int | None
    seconds: float
    breaks: list[Break] = field(default_factory=list)


@dataclass
class Settings:
    """What a run may do: the profile's commands and the time limits."""

    heavy: bool = False  # data validate (Great Expectations) and monitor (a trained build)
    seconds: float = 20.0
    hard_seconds: float = 60.0
    commands_per_case: int = 3
    apply_rate: float = 0.05


# -- templates ---------------------------------------------------------------------------------


def build_template(dest: Path, cli: click.Group, *, engine: str) -> None:
    """The example project as init writes it, in git, with a saved plan and an applied state."""
    from modelspec.examples.scaffold import init_project

    if dest.exists():
        shutil.rmtree(dest)
    init_project(dest)
    config = dest / "modelspec.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("engine: local", f"engine: {engine}"), encoding="utf-8")
    if shutil.which("git"):
        git = ["git", "-C", str(dest), *GIT_IDENTITY]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    for argv in (["plan", "--out", "plan.json"], ["apply", "--auto-approve"]):
        result = CliRunner().invoke(cli, ["-C", str(dest), *argv], env=ENV)
        os.chdir(dest.parent)
        if result.exit_code != 0:
            raise RuntimeError(f"template: `modelspec {' '.join(argv)}` exited {result.exit_code}:\n{result.output}")


def make_outside(outside: Path) -> None:
    """The sentinel folder beside the project: bait for reads and writes that leave the project."""
    (outside / "specs").mkdir(parents=True)
    (outside / "generated").mkdir()
    (outside / "secret.csv").write_text(f"id,value\n{V.SECRET},1\n{V.SECRET}-2,2\n", encoding="utf-8")
    (outside / "secret.yaml").write_text(f"# {V.SECRET}\nsecret: {V.SECRET}\n", encoding="utf-8")
    (outside / "secret.json").write_text(f'{{"secret": "{V.SECRET}"}}\n', encoding="utf-8")
    (outside / "state.json").write_text(f'{{"secret": "{V.SECRET}"}}\n', encoding="utf-8")
    (outside / "modelspec.yaml").write_text(f"project: {V.SECRET}\nspecs: specs\n", encoding="utf-8")
    (outside / "specs" / "leak.yaml").write_text(
        f"apiVersion: modelspec/v1\nkind: Target\nmetadata: {{name: {V.SECRET.lower()}, owner: x}}\n"
        f"spec: {{platform: kserve, namespace: {V.SECRET}}}\n",
        encoding="utf-8",
    )


# -- commands ------------------------------------------------------------------------------------


def _choice(rng: random.Random, items: Sequence[str]) -> str:
    return items[rng.randrange(len(items))]


def read_only_pool(
    rng: random.Random, settings: Settings, has_git: bool, mutated_yaml: Sequence[str] = ()
) -> list[tuple[int, Command]]:
    """(weight, command) of the read-only commands, their options drawn from rng.

    fmt (ruamel, the slowest reader) is mostly given the mutated YAML files only.
    """

    def arg(options: Sequence[str]) -> str:
        return _choice(rng, HOSTILE_ARGS) if rng.random() < 0.1 else _choice(rng, options)

    vfmt = _choice(rng, ["text", "json", "sarif", "github", "junit"])
    pfmt, sfmt, dfmt = (_choice(rng, ["text", "markdown", "json"]) for _ in range(3))
    stfmt = _choice(rng, ["text", "json"])
    rfmt, gfmt = _choice(rng, ["markdown", "html"]), _choice(rng, ["dot", "mermaid"])
    fmt_paths = tuple(mutated_yaml) if mutated_yaml and rng.random() < 0.8 else ()
    plan = ["plan", "--format", pfmt] + (["--detailed-exitcode"] if rng.random() < 0.3 else [])
    pool = [
        (24, Command(("validate", "--format", vfmt), vfmt)),
        (20, Command(tuple(plan), pfmt)),
        (5, Command(("fmt", "--check", *fmt_paths))),
        (2, Command(("fmt", "--diff", *fmt_paths))),
        (6, Command(("graph", "--format", gfmt), gfmt)),
        (5, Command(("show", "plan.json", "--format", sfmt), sfmt)),
        (5, Command(("state", "list", "--format", stfmt), stfmt)),
        (4, Command(("state", "show", arg(ADDRESSES), "--format", stfmt), stfmt)),
        (8, Command(("report", "--format", rfmt), rfmt)),
        (2, Command(("schema", "--check"))),
    ]
    if has_git:
        pool.append((6, Command(("diff", "--base", "HEAD", "--format", dfmt), dfmt)))
    if settings.heavy:
        xfmt = _choice(rng, ["text", "json", "junit"])
        pool.append((1, Command(("data", "validate", arg(CONTRACTS), "--format", xfmt), xfmt)))
    return pool


def choose_commands(
    rng: random.Random, settings: Settings, mutations: list[Mutation], *, has_git: bool, trained: bool
) -> list[Command]:
    """Read-only commands first (each checked for changes), then at most one that writes."""
    mutated_yaml = sorted({m.target for m in mutations if m.target.endswith(".yaml") and m.operator != "fs"})
    pool = read_only_pool(rng, settings, has_git, mutated_yaml)
    chosen: list[Command] = []
    while pool and len(chosen) < settings.commands_per_case:
        pick = rng.choices(range(len(pool)), weights=[w for w, _ in pool])[0]
        chosen.append(pool.pop(pick)[1])
    if settings.heavy:
        for rel in sorted({m.target for m in mutations if m.target in DATA_OF}):
            if rng.random() < 0.3:
                fmt = _choice(rng, ["text", "json", "junit"])
                chosen.append(Command(("data", "validate", DATA_OF[rel], "--data", rel, "--format", fmt), fmt))
            if trained:
                fmt = _choice(rng, ["text", "json", "html"])
                chosen.append(Command(("monitor", MONITORED[rel], "--current", rel, "--format", fmt), fmt))
        if trained and not any(c.name == "monitor" for c in chosen) and rng.random() < 0.5:
            rel = _choice(rng, sorted(MONITORED))
            fmt = _choice(rng, ["text", "json", "html"])
            chosen.append(Command(("monitor", MONITORED[rel], "--current", rel, "--format", fmt), fmt))
    roll = rng.random()
    if roll < settings.apply_rate:
        chosen.append(Command(("apply", "--auto-approve"), writes=True))
    elif roll < settings.apply_rate * 1.3:
        chosen.append(Command(("apply", "plan.json", "--auto-approve"), writes=True))
    elif roll < settings.apply_rate * 1.6:
        chosen.append(Command(("fmt",), writes=True))
    if chosen and chosen[-1].writes:
        chosen.append(Command(("state", "list")))  # after a write: reading it back changes nothing
    return chosen


# -- running one command ------------------------------------------------------------------------


def run_command(
    cli: click.Group, case_dir: Path, command: Command, settings: Settings, hang_log: TextIO | None
) -> Outcome:
    """Run command in-process on case_dir/project; every oracle's verdict is in Outcome.breaks."""
    project, cwd = case_dir / "project", os.getcwd()
    watch = O.WriteWatch.install()
    before = O.tree_digest(project, skip=(".git",)) if not command.writes else {}
    outside_before = O.tree_digest(case_dir / "outside")
    listing_before = sorted(os.listdir(case_dir))
    result: Any = None
    hang: O.Hang | None = None
    start = time.perf_counter()
    try:
        with watch.watching(project) as writes, O.deadline(settings.seconds, settings.hard_seconds, hang_log):
            result = CliRunner().invoke(cli, ["-C", str(project), *command.argv], env=ENV, input="")
    except O.Hang as exc:
        hang = exc
    finally:
        os.chdir(cwd)
    seconds = time.perf_counter() - start
    outcome = Outcome(command, None if result is None else result.exit_code, seconds)

    def found(kind: str, key: str, detail: str) -> None:
        # a crash or hang is one break whichever command reached its frame; the rest are per command
        shared = kind in ("exception", "hang") and "modelspec/" in key
        where = key if shared else f"{command.name} | {key}"
        outcome.breaks.append(Break(kind, f"{kind} | {where}", command, detail))

    if hang is not None:
        found("hang", O.innermost_frame(hang.__traceback__), O.traceback_tail(hang))
    elif seconds > settings.seconds:
        found("hang", f"took {seconds:.0f} s", f"finished after {seconds:.1f} s (limit {settings.seconds:g} s)")
    if result is not None:
        exc = result.exception
        refused = isinstance(exc, PermissionError) and "[fuzz]" in str(exc)  # reported as the write
        if exc is not None and not isinstance(exc, SystemExit) and not refused:
            found("exception", f"{type(exc).__name__} at {O.innermost_frame(exc.__traceback__)}", O.traceback_tail(exc))
        elif result.exit_code not in (0, 1, 2):
            found(f"exit {result.exit_code}", "", result.output[-800:])
        for kind, detail in O.output_problems(command.fmt, result.stdout, result.stderr):
            found(kind, f"{command.fmt}", detail)
    for write in dict.fromkeys(writes):
        found("write outside the project", _pattern(write, case_dir), write)
    outside_changes = O.tree_changes(outside_before, O.tree_digest(case_dir / "outside"))
    if outside_changes or sorted(os.listdir(case_dir)) != listing_before:
        found("write outside the project", "sentinel changed", "; ".join(outside_changes) or "case folder listing changed")
    if not command.writes and hang is None:
        changes = O.tree_changes(before, O.tree_digest(project, skip=(".git",)))
        if changes:
            found("read-only command changed the project", _pattern("; ".join(changes[:3]), case_dir), "; ".join(changes[:20]))
    return outcome


def _pattern(text: str, case_dir: Path) -> str:
    """A write or change with the case's own folder and numbers taken out, to group repeats."""
    import re

    text = text.replace(str(case_dir), "<case>")
    return re.sub(r"\d+", "N", text)[:160]
