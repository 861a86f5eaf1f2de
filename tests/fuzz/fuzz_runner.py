"""The fuzz loop over the example project: `python tests/fuzz/fuzz_runner.py --cases N` (make fuzz) and the suite's short run.

Case i of seed s is the same on every machine: its mutations and commands come from
random.Random(f"{s}:{i}:..."), so a break is replayed with --seed s --case i.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import resource
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import click
from fuzz_case import (
    Break,
    Command,
    Settings,
    build_template,
    choose_commands,
    make_outside,
    run_command,
)
from fuzz_mutate import Mutation, Mutator
from fuzz_oracles import deadline

HERE = Path(__file__).resolve().parent
MEMORY_HEADROOM = 6 * 1024**3  # address space a case may add: /dev/zero read whole ends in MemoryError


@dataclass
class Finding:
    """One distinct break (its key) and the cases that showed it."""

    first: Break
    case: int
    mutations: list[str]
    diffs: str
    count: int = 0
    cases: list[int] = field(default_factory=list)
    minimal: str = ""
    kept: str = ""


@dataclass
class Report:
    seed: int
    cases: int = 0
    commands: Counter[str] = field(default_factory=Counter)
    seconds_by_command: Counter[str] = field(default_factory=Counter)
    exits: Counter[str] = field(default_factory=Counter)
    findings: dict[str, Finding] = field(default_factory=dict)
    slowest: tuple[float, int, str] = (0.0, -1, "")
    elapsed: float = 0.0

    @property
    def breaks(self) -> int:
        return sum(f.count for f in self.findings.values())


class Fuzzer:
    """Builds the templates once, then runs cases in folders under base."""

    def __init__(self, base: Path, seed: int, settings: Settings, cli: click.Group | None = None,
                 out: TextIO = sys.stdout, keep: bool = False) -> None:
        if cli is None:
            from modelspec.cli import cli as modelspec_cli

            cli = modelspec_cli
        self.cli, self.base, self.seed, self.settings, self.out, self.keep = cli, base, seed, settings, out, keep
        self.templates: dict[str, Path] = {}
        self.has_git = shutil.which("git") is not None
        self.hang_log_path = base / "hang.log"
        self.report = Report(seed)

    def template(self, engine: str) -> Path:
        if engine not in self.templates:
            dest = self.base / f"template-{engine}"
            build_template(dest, self.cli, engine=engine)
            self.templates[engine] = dest
        return self.templates[engine]

    # -- one case ------------------------------------------------------------------------------
    def prepare(self, index: int, only: list[int] | None = None) -> tuple[Path, Path, list[Mutation], bool]:
        rng = random.Random(f"{self.seed}:{index}")
        trained = self.settings.heavy and rng.random() < 0.15
        template = self.template("local" if trained else "argo")
        case_dir = self.base / "cases" / f"case-{index}"
        if case_dir.exists():
            shutil.rmtree(case_dir)
        shutil.copytree(template, case_dir / "project", symlinks=True)
        make_outside(case_dir / "outside")
        count = rng.choices([1, 2, 3, 4], weights=[55, 25, 12, 8])[0]
        mutator = Mutator(case_dir / "project", case_dir / "outside")
        mutations = []
        for i in range(count):
            if only is None or i in only:
                mutations.append(mutator.mutate(random.Random(f"{self.seed}:{index}:{i}")))
        return case_dir, template, mutations, trained

    def run_case(self, index: int, only: list[int] | None = None,
                 commands: list[Command] | None = None) -> tuple[list[Break], list[Mutation], Path, Path]:
        with deadline(60, 120, None):  # the fuzzer's own work is bounded too
            case_dir, template, mutations, trained = self.prepare(index, only)
        if commands is None:
            rng = random.Random(f"{self.seed}:{index}:commands")
            commands = choose_commands(rng, self.settings, mutations, has_git=self.has_git, trained=trained)
        breaks: list[Break] = []
        with open(self.hang_log_path, "w", encoding="utf-8") as log:
            for command in commands:
                log.seek(0)
                log.truncate()
                log.write(f"hang: seed {self.seed} case {index}: modelspec {command.shell()}\n"
                          + "".join(f"  {m.describe()}\n" for m in mutations))
                log.flush()
                outcome = run_command(self.cli, case_dir, command, self.settings, log)
                self._count(index, outcome.command, outcome.exit_code, outcome.seconds)
                breaks.extend(outcome.breaks)
        return breaks, mutations, case_dir, template

    def _count(self, index: int, command: Command, exit_code: int | None, seconds: float) -> None:
        report = self.report
        report.commands[command.name] += 1
        report.seconds_by_command[command.name] += seconds
        report.exits[f"{command.name}: {'hang' if exit_code is None else exit_code}"] += 1
        if seconds > report.slowest[0]:
            report.slowest = (seconds, index, command.shell())

    # -- the loop ----------------------------------------------------------------------------
    def run(self, first: int, count: int, only: list[int] | None = None,
            commands: list[Command] | None = None, reduce: bool = True) -> Report:
        start = time.perf_counter()
        if self.settings.heavy:
            _warm_up()
        with memory_limit():
            for index in range(first, first + count):
                try:
                    breaks, mutations, case_dir, template = self.run_case(index, only, commands)
                except Exception as exc:  # the fuzzer's own bug: reported like a break, the run goes on
                    self._fuzzer_error(index, exc)
                    continue
                self.report.cases += 1
                if breaks:  # before any replay below reuses the case's folder
                    diffs = file_diffs(template, case_dir / "project", mutations)
                    kept = self.base / "failures" / f"case-{index}"
                    if not kept.exists():
                        shutil.copytree(case_dir, kept, symlinks=True, ignore_dangling_symlinks=True)
                for brk in breaks:
                    self._record(index, brk, mutations, diffs, kept, reduce)
                if not self.keep:
                    shutil.rmtree(case_dir, ignore_errors=True)
        self.report.elapsed += time.perf_counter() - start
        return self.report

    def _fuzzer_error(self, index: int, exc: Exception) -> None:
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        key = f"fuzzer error | {type(exc).__name__} at {Path(where.filename).name}:{where.name}"
        detail = "".join(traceback.format_exception(exc)).rstrip()
        brk = Break("fuzzer error", key, Command(("(preparing the case)",)), detail)
        finding = self.report.findings.setdefault(key, Finding(brk, index, [], ""))
        if finding.count == 0:
            self.out.write(describe(finding, self.seed) + "\n")
        finding.count += 1
        if len(finding.cases) < 10:
            finding.cases.append(index)
        self.report.cases += 1

    def _record(self, index: int, brk: Break, mutations: list[Mutation], diffs: str,
                kept: Path, reduce: bool) -> None:
        finding = self.report.findings.get(brk.key)
        if finding is None:
            finding = Finding(brk, index, [m.describe() for m in mutations], diffs, kept=str(kept))
            self.report.findings[brk.key] = finding
            if reduce and len(mutations) > 1:
                finding.minimal = self.reduce(index, brk, len(mutations))
            self.out.write(describe(finding, self.seed) + "\n")
            self.out.flush()
        finding.count += 1
        if len(finding.cases) < 10:
            finding.cases.append(index)

    def reduce(self, index: int, brk: Break, count: int) -> str:
        """The first single mutation that shows the same break with the command alone."""
        saved = self.report
        self.report = Report(self.seed)  # the replays do not count
        try:
            for i in range(count):
                breaks, mutations, case_dir, _ = self.run_case(index, [i], [brk.command])
                shutil.rmtree(case_dir, ignore_errors=True)
                if any(b.key == brk.key for b in breaks):
                    return (f"--seed {self.seed} --case {index} --only {i} --command {shlex.quote(brk.command.shell())}"
                            f"  ({mutations[0].describe()})")
        finally:
            self.report = saved
        return ""


def _warm_up() -> None:
    """Import the heavy libraries before any deadline runs: their first import is not the command's time."""
    import importlib

    for name in ("great_expectations", "pandas", "scipy.stats", "sklearn.pipeline"):
        with suppress(ImportError):
            importlib.import_module(name)


@contextmanager
def memory_limit() -> Iterator[None]:
    """Cap the address space while cases run, so a runaway read fails in this process alone."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        yield
        return
    cap = used + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def file_diffs(template: Path, project: Path, mutations: list[Mutation], max_lines: int = 16) -> str:
    """What the mutations changed, as a unified diff per file (binary and special files described)."""
    parts = []
    for rel in dict.fromkeys(m.target for m in mutations):
        old, new = template / rel, project / rel
        if new.is_symlink():
            parts.append(f"{rel}: symlink -> {os.readlink(new)}")
            continue
        if not new.is_file() or (old.exists() and not old.is_file()):
            parts.append(f"{rel}: {'missing' if not os.path.lexists(new) else 'not a regular file'}")
            continue
        before = old.read_bytes() if old.is_file() else b""
        after = new.read_bytes()
        if len(after) > 1_000_000:
            parts.append(f"{rel}: {len(after):,} bytes starting {after[:60]!r}")
            continue
        try:
            a, b = before.decode("utf-8").splitlines(), after.decode("utf-8").splitlines()
        except UnicodeDecodeError:
            parts.append(f"{rel}: not UTF-8; around the change: {_first_difference(before, after)}")
            continue
        lines = [line if len(line) <= 200 else line[:180] + f"...<{len(line)} chars>"
                 for line in difflib.unified_diff(a, b, f"template/{rel}", f"case/{rel}", n=1, lineterm="")]
        if len(lines) > max_lines:
            lines = [*lines[:max_lines], f"... {len(lines) - max_lines} more diff lines"]
        parts.append("\n".join(lines) or f"{rel}: unchanged")
    return "\n".join(parts)


def _first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return repr(b[max(0, at - 40) : at + 60])


def describe(finding: Finding, seed: int) -> str:
    brk = finding.first
    lines = [
        f"BREAK [{brk.kind}] seed {seed} case {finding.case}: modelspec -C <case>/project {brk.command.shell()}",
        f"  key: {brk.key}",
        *("  " + line for line in brk.detail.splitlines()[-24:]),
        "  mutations:",
        *(f"    {m}" for m in finding.mutations),
        *("    " + line for line in finding.diffs.splitlines()),
        f"  replay: make fuzz SEED={seed} CASE={finding.case}",
    ]
    if finding.minimal:
        lines.append(f"  minimal: python tests/fuzz/fuzz_runner.py {finding.minimal}")
    lines.append(f"  case kept in {finding.kept}")
    return "\n".join(lines)


def summary(report: Report) -> str:
    commands = sum(report.commands.values())
    rate = report.cases / report.elapsed if report.elapsed else 0.0
    lines = [
        f"fuzz: seed {report.seed}, {report.cases} cases, {commands} commands in {report.elapsed:.1f} s "
        f"({rate:.1f} cases/s, {commands / report.elapsed if report.elapsed else 0:.1f} commands/s)",
        "commands (runs, mean seconds):",
        *(f"  {name:<16} {n:>6}  {report.seconds_by_command[name] / n:.3f}" for name, n in report.commands.most_common()),
        "exit codes: " + ", ".join(f"{k} x{v}" for k, v in sorted(report.exits.items())),
        f"slowest: {report.slowest[0]:.2f} s, case {report.slowest[1]}: modelspec {report.slowest[2]}",
        f"breaks: {report.breaks} in {len(report.findings)} distinct",
        *(f"  {f.count:>5} x {key}  (cases {', '.join(map(str, f.cases))})" for key, f in report.findings.items()),
    ]
    return "\n".join(lines)


def findings_json(report: Report) -> list[dict[str, object]]:
    return [
        {"key": key, "kind": f.first.kind, "count": f.count, "cases": f.cases, "case": f.case,
         "command": f.first.command.shell(), "detail": f.first.detail, "mutations": f.mutations,
         "diffs": f.diffs, "minimal": f.minimal, "kept": f.kept}
        for key, f in report.findings.items()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case", type=int, help="run only this case (replay), keeping its folder")
    parser.add_argument("--first", type=int, default=0, help="index of the first case")
    parser.add_argument("--only", help="replay: comma-separated mutation indices to apply")
    parser.add_argument("--command", help="replay: this command line instead of the case's own")
    parser.add_argument("--light", action="store_true", help="the suite's profile: no GX, no trained build")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per command")
    parser.add_argument("--base", type=Path, help="folder for templates and cases (default: a new temp dir)")
    parser.add_argument("--findings", type=Path, help="write the distinct breaks here as JSON")
    args = parser.parse_args(argv)
    os.environ.pop("MODELSPEC_ALLOWED_ROOTS", None)
    base = args.base or Path(tempfile.mkdtemp(prefix="modelspec-fuzz-"))
    base.mkdir(parents=True, exist_ok=True)
    settings = Settings(heavy=not args.light, seconds=args.seconds, hard_seconds=max(60.0, 3 * args.seconds))
    replay = args.case is not None
    fuzzer = Fuzzer(base, args.seed, settings, keep=replay)
    print(f"fuzz: base {base}; if the run ends without a summary, {fuzzer.hang_log_path} names the case that hung",
          flush=True)
    only = [int(i) for i in args.only.split(",")] if args.only else None
    commands = [Command(tuple(shlex.split(args.command)), _format_of(shlex.split(args.command)))] if args.command else None
    first, count = (args.case, 1) if replay else (args.first, args.cases)
    progress = max(1, count // 20)
    report = fuzzer.report
    for start in range(first, first + count, progress):
        report = fuzzer.run(start, min(progress, first + count - start), only, commands, reduce=not replay)
        if not replay:
            print(f"  ... {start + progress - first}/{count} cases, {report.breaks} breaks", flush=True)
    if replay:
        print(f"case folder: {base / 'cases' / f'case-{args.case}'}")
    print(summary(report))
    if args.findings:
        args.findings.write_text(json.dumps(findings_json(report), indent=2), encoding="utf-8")
    if not replay and not report.findings:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if report.findings else 0


def _format_of(argv: list[str]) -> str:
    return argv[argv.index("--format") + 1] if "--format" in argv[:-1] else "text"


if __name__ == "__main__":
    sys.exit(main())
