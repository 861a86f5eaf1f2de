"""The fmt operation: find spec files, lay each out canonically, and write the ones that change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.files import write_atomic
from modelspec.loading import discover
from modelspec.yamledit import MAX_ROUND_TRIP_BYTES

__all__ = ["MAX_FORMAT_BYTES", "FileResult", "Formatted", "format_paths"]

MAX_FORMAT_BYTES = MAX_ROUND_TRIP_BYTES


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


@dataclass(frozen=True)
class Formatted:
    """Every file's result; problems are paths that do not exist (or the project that did not load)."""

    results: list[FileResult] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.problem is not None) + len(self.problems)

    @property
    def changed(self) -> int:
        return sum(1 for r in self.results if r.changed)

    @property
    def unchanged(self) -> int:
        return len(self.results) - self.changed - sum(1 for r in self.results if r.problem is not None)


def format_paths(paths: Sequence[Path], *, write: bool) -> Formatted:
    """Format the given files (directories searched), or modelspec.yaml and the project's specs.

    With write, each file that changes is rewritten atomically, keeping its mode.
    """
    files, problems, roots = _discover(paths)
    if problems and not files:
        return Formatted([], problems)
    results = [_format_file(path, roots) for path in files]
    if write:
        for result in results:
            if result.changed:
                write_atomic(result.path, result.after.encode("utf-8"), keep_mode=True)
    return Formatted(results, problems)


def _discover(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic], list[Path]]:
    """The files to format, problems finding them, and the roots a file may lead into.

    Files named on the command line are the user's own choice; the project's
    specs are read only inside the project, as validate reads them.
    """
    if paths:
        return (*_expand(paths), [Path(Path.cwd().anchor)])
    from modelspec.paths import allowed_roots
    from modelspec.project import CONFIG_FILE, load_project

    project, diags = load_project(Path.cwd())
    if project is None:
        return [], diags, []
    files, problems = _expand([project.specs_dir]) if project.specs_dir.is_dir() else ([], [])
    return [project.root / CONFIG_FILE, *files], problems, list(allowed_roots(project.root))


def _expand(paths: Iterable[Path]) -> tuple[list[Path], list[Diagnostic]]:
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            files.extend(discover(path))
        elif path.is_file() or path.is_symlink():
            files.append(path)
        else:
            problems.append(
                Diagnostic(Severity.ERROR, "MS002", f"no such file or directory: {path}", str(path))
            )
    return list(dict.fromkeys(files)), problems


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # outside the cwd, or a symlink loop
        return str(path)


def _format_file(path: Path, roots: Sequence[Path]) -> FileResult:
    """Format one file, refusing what validate refuses (fmt never parses what loading would not)."""
    from modelspec.formatting import FormatError, format_text
    from modelspec.loading import load_text, read_spec_text

    shown = _shown(path)
    before, problem = read_spec_text(path, shown, roots)
    if problem is not None:
        return FileResult(path, shown, problem=problem)
    size = len(before.encode("utf-8"))
    if size > MAX_FORMAT_BYTES:
        problem = Diagnostic(
            Severity.ERROR, "MS104",
            f"file is {size:,} bytes; fmt lays out files of at most {MAX_FORMAT_BYTES:,} bytes "
            "(its comment-keeping YAML parser takes seconds per 100 KiB)",
            shown, hint="split it into several spec files",
        )
        return FileResult(path, shown, before, problem=problem)
    errors = [d for d in load_text(shown, before)[1] if d.is_error]
    if errors:
        return FileResult(path, shown, before, problem=errors[0])
    try:
        after = format_text(before)
    except FormatError as exc:
        problem = Diagnostic(Severity.ERROR, "MS100", exc.message, shown, exc.line, exc.column)
        return FileResult(path, shown, before, problem=problem)
    return FileResult(path, shown, before, after)
