"""The benchmark's goals and its printed report: one table with a column per N, then PASS/FAIL per goal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["GOAL_N", "Goal", "evaluate_goals", "print_report"]

GOAL_N = 10_000  # the goals are stated for this many specs
VALIDATE_OVER_LOAD_MAX = 2.0
PEER_OVER_VALIDATE_MIN = 5.0
RSS_MAX_MB = 400.0
VERSION_MAX_S = 0.3
PLAN_OVER_VALIDATE_MAX = 2.0


@dataclass(frozen=True)
class Goal:
    """One goal check: PASS, FAIL, or SKIP when its measurement is missing."""

    name: str
    status: str
    measured: str


def _ratio(row: dict[str, Any], top: str, bottom: str) -> float | None:
    if top in row and bottom in row and row[bottom] > 0:
        return float(row[top]) / float(row[bottom])
    return None


def _check(name: str, value: float | None, passes: Callable[[float], bool], shown: str) -> Goal:
    if value is None:
        return Goal(name, "SKIP", "not measured")
    return Goal(name, "PASS" if passes(value) else "FAIL", shown.format(value))


def evaluate_goals(results: dict[str, Any]) -> list[Goal]:
    """The issue's goals, judged at N=10,000 (or the largest N run, said so)."""
    goals = [
        _check(
            f"modelspec --version under {VERSION_MAX_S} s", results.get("version_s"),
            lambda v: v < VERSION_MAX_S, "{:.3f} s",
        )
    ]
    rows = results["rows"]
    if not rows:
        return goals
    at_scale = [r for r in rows if r["n"] >= GOAL_N]
    row = min(at_scale, key=lambda r: r["n"]) if at_scale else max(rows, key=lambda r: r["n"])
    at = f"N={row['n']:,}" + ("" if row["n"] == GOAL_N else f", goal stated for N={GOAL_N:,}")
    goals += [
        _check(
            f"validate within {VALIDATE_OVER_LOAD_MAX:g}x libyaml load ({at})",
            _ratio(row, "validate_s", "libyaml_load_s"), lambda v: v <= VALIDATE_OVER_LOAD_MAX, "{:.2f}x",
        ),
        _check(
            f"validate at least {PEER_OVER_VALIDATE_MIN:g}x faster than check-jsonschema ({at})",
            _ratio(row, "peer_s", "validate_s"), lambda v: v >= PEER_OVER_VALIDATE_MIN, "{:.1f}x",
        ),
        _check(
            f"validate peak RSS under {RSS_MAX_MB:g} MB ({at})",
            row.get("validate_rss_mb"), lambda v: v < RSS_MAX_MB, "{:.0f} MB",
        ),
    ]
    if results.get("plan"):
        goals.append(
            _check(
                f"no-change plan within {PLAN_OVER_VALIDATE_MAX:g}x validate ({at})",
                _ratio(row, "plan_s", "validate_s"), lambda v: v <= PLAN_OVER_VALIDATE_MAX, "{:.2f}x",
            )
        )
    return goals


def _seconds(row: dict[str, Any], key: str) -> str:
    return f"{row[key]:.2f} s" if key in row else "-"


def _times(row: dict[str, Any], top: str, bottom: str) -> str:
    ratio = _ratio(row, top, bottom)
    return f"{ratio:.2f}x" if ratio is not None else "-"


def _mb(row: dict[str, Any], key: str) -> str:
    return f"{row[key]:.0f} MB" if key in row else "-"


LINES: tuple[tuple[str, Callable[[dict[str, Any]], str]], ...] = (
    ("spec files", lambda r: f"{r['files']:,}"),
    ("size", lambda r: f"{r['megabytes']:.2f} MB"),
    ("runs per measurement (best kept)", lambda r: str(r["repeat"])),
    ("libyaml load, in-process (floor)", lambda r: _seconds(r, "libyaml_load_s")),
    ("libyaml compose, in-process", lambda r: _seconds(r, "libyaml_compose_s")),
    ("modelspec validate, process", lambda r: _seconds(r, "validate_s")),
    ("  validate / libyaml load", lambda r: _times(r, "validate_s", "libyaml_load_s")),
    ("modelspec validate, in-process", lambda r: _seconds(r, "validate_in_process_s")),
    ("  in-process / libyaml load", lambda r: _times(r, "validate_in_process_s", "libyaml_load_s")),
    ("validate peak RSS", lambda r: _mb(r, "validate_rss_mb")),
    ("check-jsonschema, process", lambda r: _seconds(r, "peer_s")),
    ("  check-jsonschema / validate", lambda r: _times(r, "peer_s", "validate_s")),
    ("ruamel.yaml round-trip, in-process", lambda r: _seconds(r, "ruamel_rt_s")),
    ("apply (plan setup), process", lambda r: _seconds(r, "apply_s")),
    ("apply peak RSS", lambda r: _mb(r, "apply_rss_mb")),
    ("no-change plan, process", lambda r: _seconds(r, "plan_s")),
    ("  plan / validate", lambda r: _times(r, "plan_s", "validate_s")),
    ("plan peak RSS", lambda r: _mb(r, "plan_rss_mb")),
)


def print_report(results: dict[str, Any], goals: list[Goal]) -> None:
    env = results["environment"]
    print(
        f"\nmodelspec {env['modelspec']} benchmark: Python {env['python']}, {env['cpus']} CPUs, "
        f"PyYAML {env['pyyaml']} (libyaml {'yes' if env['libyaml'] else 'NO'}), "
        f"check-jsonschema {env['check_jsonschema']} (ruamel clib {'yes' if env['ruamel_clib'] else 'no'})"
    )
    rows = results["rows"]
    width = max(len(label) for label, _ in LINES)
    print(f"\n{'':<{width}}  " + "  ".join(f"{'N=' + format(r['n'], ','):>12}" for r in rows))
    for label, cell in LINES:
        cells = [cell(r) for r in rows]
        if all(c == "-" for c in cells) and not label.startswith(("libyaml", "modelspec validate")):
            continue
        print(f"{label:<{width}}  " + "  ".join(f"{c:>12}" for c in cells))
    if "version_s" in results:
        print(f"\nmodelspec --version, process (best of 5): {results['version_s']:.3f} s")
    for row in rows:
        for note in row["notes"]:
            print(f"note (N={row['n']:,}): {note}")
        for error in row["errors"]:
            print(f"ERROR (N={row['n']:,}): {error}")
    if "version_error" in results:
        print(f"ERROR: {results['version_error']}")
    print("\nGoals")
    for goal in goals:
        print(f"  {goal.status:<4}  {goal.name}: {goal.measured}")
