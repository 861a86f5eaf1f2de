"""`modelspec fmt`: rewrite spec files in their canonical layout, keeping comments."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.files import write_atomic

__all__ = ["command"]

_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class FileResult:
    """What fmt found for one file: its new text when it changes, or the problem."""

    path: Path
    shown: str  # the path as printed
    before: str = ""
    after: str = ""
    problem: Diagnostic | None = None

    @property
    def changed(self) -> bool:
        return self.problem is None and self.before != self.after


@click.command("fmt")
@click.option(
    "--check", is_flag=True, help="Write nothing; list files that would change, exit 1 if any."
)
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def command(check: bool, show_diff: bool, paths: tuple[Path, ...]) -> None:
    """Rewrite spec files in canonical layout (comments, quotes and flow style are kept).

    Without PATHS, formats modelspec.yaml and every *.yaml / *.yml under the specs directory.
    """
    files, problems = _discover(paths)
    for diag in problems:
        click.echo(_render(diag), err=True)
    if problems and not files:
        raise click.exceptions.Exit(1)
    results = [_format_file(path) for path in files]
    write = not check and not show_diff
    for result in results:
        if result.problem is not None:
            click.echo(_render(result.problem), err=True)
        elif result.changed:
            if show_diff:
                click.echo(_unified_diff(result), nl=False)
            elif check:
                click.echo(result.shown)
            else:
                write_atomic(result.path, result.after.encode("utf-8"), keep_mode=True)
    failed = sum(1 for r in results if r.problem is not None) + len(problems)
    changed = sum(1 for r in results if r.changed)
    unchanged = len(results) - changed - sum(1 for r in results if r.problem is not None)
    click.echo(_summary(changed, unchanged, failed, written=write), err=check or show_diff)
    if failed or (check and changed):
        raise click.exceptions.Exit(1)


def _discover(paths: tuple[Path, ...]) -> tuple[list[Path], list[Diagnostic]]:
    """The files to format: the given paths (directories searched), or the project's specs."""
    if paths:
        return _expand(paths)
    from modelspec.project import CONFIG_FILE, load_project

    project, diags = load_project(Path.cwd())
    if project is None:
        return [], diags
    files, problems = _expand([project.specs_dir]) if project.specs_dir.is_dir() else ([], [])
    return [project.root / CONFIG_FILE, *files], problems


def _expand(paths: Iterable[Path]) -> tuple[list[Path], list[Diagnostic]]:
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                Diagnostic(Severity.ERROR, "MS002", f"no such file or directory: {path}", str(path))
            )
    return list(dict.fromkeys(files)), problems


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _format_file(path: Path) -> FileResult:
    from modelspec.formatting import FormatError, format_text

    shown = _shown(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            before = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        problem = Diagnostic(Severity.ERROR, "MS002", f"cannot read file: {exc}", shown)
        return FileResult(path, shown, problem=problem)
    try:
        after = format_text(before)
    except FormatError as exc:
        problem = Diagnostic(Severity.ERROR, "MS100", exc.message, shown, exc.line, exc.column)
        return FileResult(path, shown, before, problem=problem)
    return FileResult(path, shown, before, after)


def _unified_diff(result: FileResult) -> str:
    lines = difflib.unified_diff(
        result.before.splitlines(keepends=True),
        result.after.splitlines(keepends=True),
        fromfile=f"a/{result.shown}",
        tofile=f"b/{result.shown}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _render(diag: Diagnostic) -> str:
    where = diag.file or "modelspec"
    if diag.line:
        where += f":{diag.line}:{diag.column or 1}"
    text = f"{where}: {diag.severity.value}[{diag.code}]: {diag.message}"
    return f"{text}\n  hint: {diag.hint}" if diag.hint else text


def _summary(changed: int, unchanged: int, failed: int, *, written: bool) -> str:
    verb = "reformatted" if written else "would be reformatted"
    text = f"{_count(changed)} {verb}, {unchanged} unchanged"
    return f"{text}, {failed} failed" if failed else text


def _count(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"
