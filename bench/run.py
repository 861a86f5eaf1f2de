"""The modelspec benchmark: `modelspec validate` (and plan) against the libyaml floor and check-jsonschema.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/run.py --n 2000 --n 10000 [--plan] [--ruamel] [--json]

For each N it generates a project of N specs, times each measurement (best of
R runs), prints one table and a PASS/FAIL line per goal, and exits 1 when a
measurement failed or a goal was missed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _ensure_venv() -> None:
    """Re-run under the repository's .venv when started by a Python that lacks modelspec."""
    try:
        import yaml  # noqa: F401

        import modelspec  # noqa: F401
    except ImportError:
        venv_python = REPO / ".venv" / "bin" / "python"
        if venv_python.exists() and not os.environ.get("MODELSPEC_BENCH_REEXEC"):
            os.environ["MODELSPEC_BENCH_REEXEC"] = "1"  # never loop if the venv lacks it too
            os.execv(str(venv_python), [str(venv_python), *sys.argv])
        sys.exit("modelspec is not importable: run with the project's virtualenv, .venv/bin/python")


if __name__ == "__main__":
    _ensure_venv()

import yaml  # noqa: E402
from gen_specs import counts_for, generate  # noqa: E402
from goals import Goal, evaluate_goals, print_report  # noqa: E402
from measure import best_process, best_time, run_process  # noqa: E402
from peer import peer_command, peer_executable, prepare_peer_inputs, ruamel_clib  # noqa: E402
from state_backends import measure_backends, postgres_dsns  # noqa: E402

ENV = {**os.environ, "NO_COLOR": "1"}


def modelspec_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "modelspec", *args]


def spec_files(project: Path) -> list[Path]:
    return sorted(p for p in (project / "specs").rglob("*") if p.suffix in (".yaml", ".yml"))


def libyaml_load(files: list[Path]) -> int:
    count = 0
    for path in files:
        count += len(list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)))
    return count


def libyaml_compose(files: list[Path]) -> int:
    count = 0
    for path in files:
        count += len(list(yaml.compose_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)))
    return count


def ruamel_roundtrip(files: list[Path]) -> int:
    from ruamel.yaml import YAML

    count = 0
    for path in files:
        count += len(list(YAML(typ="rt").load_all(path.read_text(encoding="utf-8"))))
    return count


def validate_in_process(project: Path) -> Any:
    from modelspec.operations.validate import validate_project
    from modelspec.project import load_project

    loaded, _ = load_project(project)
    if loaded is None:
        raise RuntimeError(f"no project at {project}")
    return validate_project(loaded)


def _validate_ok(run: Any) -> bool:
    try:
        result = json.loads(run.stdout)
    except ValueError:
        return False
    return bool(run.returncode == 0 and result.get("valid") and result.get("error_count") == 0)


def _failure(what: str, run: Any) -> str:
    """What went wrong: the first diagnostics or plan changes when the output is JSON, else its tail."""
    detail = run.tail()
    try:
        output = json.loads(run.stdout)
        lines = [
            f"    {d.get('file')}:{d.get('line')}: {d.get('code')} {d.get('message')}"
            for d in output.get("diagnostics", [])[:5]
        ] + [
            f"    {c.get('address')}: {c.get('actions')} {c.get('reason')} "
            f"{[d.get('path') for d in c.get('diffs', [])][:3]}"
            for c in output.get("changes", []) if c.get("actions") != ["no-op"]
        ][:5]
        if "summary" in output:
            lines.insert(0, f"    summary: {output['summary']}")
        detail = "\n".join(lines) or detail
    except (ValueError, AttributeError):
        pass
    return f"{what} failed (exit {run.returncode}):\n{detail}"


def _record(row: dict[str, Any], key: str, value: float, label: str) -> None:
    """Keep a measurement and show it at once, so a long run reports as it goes."""
    row[key] = value
    shown = f"{value:.0f} MB" if key.endswith("_mb") else f"{value:.2f} s"
    print(f"  {label}: {shown}", file=sys.stderr, flush=True)


def _fail(row: dict[str, Any], message: str) -> None:
    row["errors"].append(message)
    print(f"  ERROR: {message}", file=sys.stderr, flush=True)


def _note(row: dict[str, Any], message: str) -> None:
    row["notes"].append(message)
    print(f"  note: {message}", file=sys.stderr, flush=True)


def measure_n(n: int, repeat: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Every measurement for one N; failures are recorded, never raised."""
    project = work / f"project-{n}"
    generate(project, n, args.seed)
    files = spec_files(project)
    row: dict[str, Any] = {
        "n": n, "repeat": repeat, "files": len(files),
        "megabytes": sum(f.stat().st_size for f in files) / 1e6,
        "kinds": counts_for(n).__dict__, "errors": [], "notes": [],
    }
    print(f"N={n:,}: {len(files):,} files, {row['megabytes']:.2f} MB; best of {repeat}", file=sys.stderr)

    documents = libyaml_load(files)
    if documents != n:
        _fail(row, f"generator wrote {documents} documents, expected {n}")
    _record(row, "libyaml_load_s", best_time(lambda: libyaml_load(files), repeat).best, "libyaml load")
    _record(row, "libyaml_compose_s", best_time(lambda: libyaml_compose(files), repeat).best, "libyaml compose")

    argv = modelspec_argv("-C", str(project), "validate", "--format", "json")
    run, timing, rss = best_process(argv, repeat, ENV, _validate_ok, args.timeout)
    if _validate_ok(run):
        _record(row, "validate_s", timing.best, "modelspec validate")
        _record(row, "validate_rss_mb", rss, "validate peak RSS")
    else:
        _fail(row, _failure("modelspec validate", run))

    try:
        timed = best_time(lambda: validate_in_process(project), repeat).best
        _record(row, "validate_in_process_s", timed, "validate in-process")
    except ImportError as exc:
        _note(row, f"in-process validate skipped: {exc}")

    if args.peer:
        _measure_peer(row, files, work / f"peer-{n}", repeat, args.timeout)
    if args.ruamel:
        if n <= args.ruamel_max:
            _record(row, "ruamel_rt_s", best_time(lambda: ruamel_roundtrip(files), 1).best, "ruamel round-trip")
        else:
            _note(row, f"ruamel round-trip skipped above N={args.ruamel_max:,}")
    if args.plan:
        _measure_plan(row, project, repeat, args.timeout)
    if args.state_backend == "postgres":
        measure_backends(
            row, project, repeat, args.timeout, ENV, args.new_dsn, modelspec_argv, _record, _fail
        )
    return row


def _measure_peer(row: dict[str, Any], files: list[Path], out: Path, repeat: int, timeout: float) -> None:
    executable = peer_executable()
    if executable is None:
        _note(row, "check-jsonschema not installed (.venv/bin/pip install check-jsonschema): skipped")
        return
    schema, documents = prepare_peer_inputs(files, out)
    peer_repeat = min(repeat, 2)  # the slowest measurement by far; its noise is small next to it
    run, timing, rss = best_process(
        peer_command(executable, schema, documents), peer_repeat, ENV, timeout=timeout
    )
    if run.returncode != 0:
        _fail(row, _failure("check-jsonschema", run))
        return
    _record(row, "peer_s", timing.best, "check-jsonschema")
    _record(row, "peer_rss_mb", rss, "check-jsonschema peak RSS")


def _commands_exist(*names: str) -> bool:
    return all(run_process(modelspec_argv(name, "--help"), ENV).returncode == 0 for name in names)


def _measure_plan(row: dict[str, Any], project: Path, repeat: int, timeout: float) -> None:
    if not _commands_exist("plan", "apply"):
        _note(row, "plan: `modelspec plan`/`apply` are not available yet: skipped")
        return
    apply = run_process(modelspec_argv("-C", str(project), "apply", "--auto-approve"), ENV, timeout)
    if apply.returncode != 0:
        _fail(row, _failure("modelspec apply (plan setup)", apply))
        return
    _record(row, "apply_s", apply.seconds, "apply (setup)")
    _record(row, "apply_rss_mb", apply.max_rss_mb, "apply peak RSS")
    argv = modelspec_argv("-C", str(project), "plan", "--format", "json", "--detailed-exitcode")
    run, timing, rss = best_process(argv, repeat, ENV, timeout=timeout)
    if run.returncode != 0:
        what = "modelspec plan found changes right after apply" if run.returncode == 2 else "modelspec plan"
        _fail(row, _failure(what, run))
        return
    _record(row, "plan_s", timing.best, "no-change plan")
    _record(row, "plan_rss_mb", rss, "plan peak RSS")


def _environment() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    from modelspec import __version__

    def pkg(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "absent"

    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "modelspec": __version__, "pyyaml": pkg("PyYAML"), "libyaml": yaml.__with_libyaml__,
        "check_jsonschema": pkg("check-jsonschema"), "ruamel_yaml": pkg("ruamel.yaml"),
        "ruamel_clib": ruamel_clib(),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="modelspec benchmark (see bench/README.md)")
    parser.add_argument("--n", type=int, action="append", help="specs to generate; repeatable (default 2000)")
    parser.add_argument("--repeat", type=int, help="runs per measurement, best kept (default 3; 1 from N=10,000)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    parser.add_argument("--plan", action="store_true", help="also apply once and time a no-change plan")
    parser.add_argument("--ruamel", action="store_true", help="also time ruamel.yaml round-trip (reference)")
    parser.add_argument("--ruamel-max", type=int, default=2000, help="largest N for --ruamel")
    parser.add_argument("--no-peer", dest="peer", action="store_false", help="skip check-jsonschema")
    parser.add_argument("--json", nargs="?", const=str(HERE / "out" / "results.json"), metavar="PATH",
                        help="write the results as JSON (default bench/out/results.json)")
    parser.add_argument("--state-backend", choices=["local", "postgres"], default="local",
                        help="postgres: also time apply and no-change plan/apply on PostgreSQL beside local")
    parser.add_argument("--state-dsn", metavar="DSN", default=os.environ.get("MODELSPEC_STATE_DSN"),
                        help="the server for --state-backend postgres (default: start a throwaway one)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="generate into DIR and keep it")
    parser.add_argument("--timeout", type=float, default=1800.0, metavar="SECONDS",
                        help="kill any one measured process after this long (default 1800)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = args.n or [2000]
    if any(n < 7 for n in sizes):
        print("error: --n must be at least 7", file=sys.stderr)
        return 2
    environment = _environment()
    version, timing, _ = best_process(modelspec_argv("--version"), 5, ENV)
    results: dict[str, Any] = {
        "format_version": "1", "environment": environment, "plan": args.plan, "rows": [],
    }
    if version.returncode == 0:
        results["version_s"] = timing.best
    else:
        results["version_error"] = _failure("modelspec --version", version)
    with tempfile.TemporaryDirectory(prefix="modelspec-bench-") as temp, contextlib.ExitStack() as stack:
        args.new_dsn = (
            stack.enter_context(postgres_dsns(args.state_dsn)) if args.state_backend == "postgres" else None
        )
        work = args.keep or Path(temp)
        for n in sizes:
            repeat = args.repeat or (1 if n >= 10_000 else 3)
            results["rows"].append(measure_n(n, repeat, args, work))
    goals: list[Goal] = evaluate_goals(results)
    results["goals"] = [goal.__dict__ for goal in goals]
    print_report(results, goals)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nresults written to {path}")
    failed = any(row["errors"] for row in results["rows"]) or "version_error" in results
    return 1 if failed or any(goal.status == "FAIL" for goal in goals) else 0


if __name__ == "__main__":
    sys.exit(main())
