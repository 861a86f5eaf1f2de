"""Architecture rules read from the source: no package cycle, short modules, a thin cli/, one clock."""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
MAX_LINES = 400

# What a cli/*.py module may import from modelspec: parse options, call an operation, render its
# result, set the exit code. The bare package `modelspec` holds only __version__.
CLI_MAY_IMPORT = (
    "modelspec.cli",
    "modelspec.operations",
    "modelspec.formats",
    "modelspec.errors",
    "modelspec.diagnostics",
    "modelspec.project",
    "modelspec.clock",
)

# Calls that read the wall clock; in src/ only modelspec/clock.py may make them, so that a test
# pins the time in one place (clock.utc_now) and the date with MODELSPEC_TODAY.
WALL_CLOCK_CALLS = frozenset(
    f"{prefix}{call}"
    for prefix in ("", "datetime.")
    for call in ("datetime.now", "datetime.utcnow", "datetime.today", "date.today")
) | {"time.time", "time.time_ns", "time.localtime", "time.gmtime", "time.ctime", "time.asctime"}
WALL_CLOCK_NAMES = {
    "time": {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime"},
    "modelspec.clock": {"utc_now"},  # a copied reference escapes the seam tests replace
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted
    line: int
    type_only: bool  # inside `if TYPE_CHECKING:`

    def __str__(self) -> str:
        return f"{self.module} (line {self.line}) imports {self.target}"


def modules(src: Path) -> dict[str, Path]:
    """Every module of the modelspec package under src, by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted((src / "modelspec").rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                ids.update(id(n) for n in ast.walk(statement))
    return ids


def imports(src: Path) -> Iterator[Import]:
    """Every import of a modelspec module, at any depth (inside functions too), relative ones resolved."""
    known = modules(src)
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        type_only = _type_checking_nodes(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([base] if base else [])])
                # `from pkg import sub` imports the module pkg.sub when there is one
                targets = list(
                    dict.fromkeys(
                        f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                        for alias in node.names
                    )
                )
            for target in targets:
                if target == "modelspec" or target.startswith("modelspec."):
                    yield Import(name, target, node.lineno, id(node) in type_only)


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def import_cycles(src: Path) -> list[str]:
    """Each package-level cycle, named by its packages and the imports that close it."""
    edges: dict[str, dict[str, list[Import]]] = {}
    for imp in imports(src):
        a, b = package_of(imp.module), package_of(imp.target)
        if not imp.type_only and a != b and b != "modelspec":
            edges.setdefault(a, {}).setdefault(b, []).append(imp)
    cycles: list[str] = []
    seen: set[frozenset[str]] = set()
    for start in sorted(edges):
        path = _shortest_path_back(edges, start)
        if path is None or frozenset(path) in seen:
            continue
        seen.add(frozenset(path))
        hops = list(zip(path, [*path[1:], path[0]], strict=True))
        because = "; ".join(
            str(imp) for a, b in hops for imp in sorted(edges[a][b], key=lambda i: (i.module, i.line))
        )
        cycles.append(f"{' -> '.join([*path, path[0]])}: {because}")
    return cycles


def _shortest_path_back(edges: dict[str, dict[str, list[Import]]], start: str) -> list[str] | None:
    """The shortest package path from start back to itself (start first), if any."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for there in sorted(edges.get(here, {})):
            if there == start:
                path = [here]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            if there not in previous:
                previous[there] = here
                queue.append(there)
    return None


def long_modules(src: Path) -> list[str]:
    found = []
    for name, path in modules(src).items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            found.append(f"{name}: {lines} lines")
    return found


def cli_reaching_past_operations(src: Path) -> list[str]:
    """Imports by cli/*.py modules of anything but what CLI_MAY_IMPORT allows."""
    return sorted(
        str(imp)
        for imp in imports(src)
        if package_of(imp.module) == "modelspec.cli"
        and imp.module.count(".") <= 2  # modelspec.cli and modelspec.cli.<command>, not views/
        and imp.target != "modelspec"
        and not any(imp.target == ok or imp.target.startswith(ok + ".") for ok in CLI_MAY_IMPORT)
    )


def wall_clock_reads(src: Path) -> list[str]:
    """Reads of the wall clock outside modelspec.clock (time.monotonic, for durations, is fine)."""
    found = []
    for name, path in modules(src).items():
        if name == "modelspec.clock":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in WALL_CLOCK_CALLS:
                found.append(f"{name} (line {node.lineno}) calls {ast.unparse(node.func)}()")
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = WALL_CLOCK_NAMES.get(node.module or "", set())
                for alias in node.names:
                    if alias.name in names:
                        found.append(f"{name} (line {node.lineno}) imports {node.module}.{alias.name}")
    return sorted(found)


def test_no_package_import_cycle() -> None:
    cycles = import_cycles(SRC)
    assert not cycles, "package import cycles:\n" + "\n".join(cycles)


def test_no_module_over_400_lines() -> None:
    too_long = long_modules(SRC)
    assert not too_long, f"modules over {MAX_LINES} lines:\n" + "\n".join(too_long)


def test_cli_holds_no_logic_of_its_own() -> None:
    reaching = cli_reaching_past_operations(SRC)
    assert not reaching, (
        f"cli/ may import only {', '.join(CLI_MAY_IMPORT)}; move the logic into an operation:\n"
        + "\n".join(reaching)
    )


def test_every_wall_clock_read_goes_through_modelspec_clock() -> None:
    reads = wall_clock_reads(SRC)
    assert not reads, "read the time through modelspec.clock (clock.utc_now, clock.today):\n" + (
        "\n".join(reads)
    )


# Each check catches what it is for, on a small package planted in tmp_path.


def plant(tmp_path: Path, files: dict[str, str]) -> Path:
    src = tmp_path / "src"
    for rel, text in {"modelspec/__init__.py": "", **files}.items():
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return src


def test_a_deferred_import_that_closes_a_cycle_is_named(tmp_path: Path) -> None:
    src = plant(
        tmp_path,
        {
            "modelspec/a/__init__.py": "",
            "modelspec/a/x.py": "def f():\n    from ..b import y\n",
            "modelspec/b/__init__.py": "",
            "modelspec/b/y.py": "from modelspec.a import x\n",
            "modelspec/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from modelspec.a import x\n",
            "modelspec/a/z.py": "import modelspec.c\n",
        },
    )
    assert import_cycles(src) == [
        "modelspec.a -> modelspec.b -> modelspec.a: modelspec.a.x (line 2) imports "
        "modelspec.b.y; modelspec.b.y (line 1) imports modelspec.a.x"
    ]


def test_a_long_module_is_named(tmp_path: Path) -> None:
    src = plant(
        tmp_path,
        {"modelspec/big.py": "x = 1\n" * (MAX_LINES + 1), "modelspec/ok.py": "x = 1\n" * MAX_LINES},
    )
    assert long_modules(src) == [f"modelspec.big: {MAX_LINES + 1} lines"]


def test_a_cli_module_reaching_past_the_operations_is_named(tmp_path: Path) -> None:
    src = plant(
        tmp_path,
        {
            "modelspec/cli/__init__.py": "from modelspec import __version__\n",
            "modelspec/cli/plan.py": "from modelspec.operations.plan import plan\n"
            "from . import common\nfrom modelspec.diagnostics.render import render\n"
            "def f():\n    from modelspec.plan.planner import diff\n",
            "modelspec/cli/common.py": "",
        },
    )
    assert cli_reaching_past_operations(src) == [
        "modelspec.cli.plan (line 5) imports modelspec.plan.planner"
    ]


def test_a_wall_clock_read_outside_the_clock_is_named(tmp_path: Path) -> None:
    src = plant(
        tmp_path,
        {
            "modelspec/clock.py": "from datetime import datetime\ndef utc_now():\n    return datetime.now()\n",
            "modelspec/report.py": "import datetime, time\nfrom modelspec.clock import utc_now\n"
            "t = time.monotonic()\nstamp = datetime.datetime.now()\n",
        },
    )
    assert wall_clock_reads(src) == [
        "modelspec.report (line 2) imports modelspec.clock.utc_now",
        "modelspec.report (line 4) calls datetime.datetime.now()",
    ]
