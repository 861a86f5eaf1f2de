"""Loading: spec files on disk -> Documents with source positions."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.files import Contained, FileTooLarge, ReadRefused, read_regular
from modelspec.loading.documents import Document, JsonPath, SourceFile, json_pointer
from modelspec.loading.yaml12 import LIMITS, load_text
from modelspec.paths import allowed_roots, inside

__all__ = [
    "Document",
    "JsonPath",
    "LoadResult",
    "SourceFile",
    "discover",
    "json_pointer",
    "load_files",
    "load_text",
    "read_spec_text",
]

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file read, as shown to users

    def source_line(self, file: str, line: int) -> str:
        """The text of a line of a loaded file (for diagnostics with a caret)."""
        if self._by_path is None:  # built once: a report may ask for thousands of lines
            self._by_path = {d.source.path: d.source for d in self.documents} | self._texts
        source = self._by_path.get(file)
        return source.line_text(line) if source else ""

    _texts: dict[str, SourceFile] = field(default_factory=dict, repr=False)
    _by_path: dict[str, SourceFile] | None = field(default=None, repr=False)


def discover(directory: Path) -> list[Path]:
    """Every *.yaml / *.yml file below directory, sorted, skipping hidden directories.

    Symlinked directories are not followed (os.walk's default); symlinked files
    are listed, and load_files checks where they lead before reading them.
    """
    found: list[Path] = []
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(current) / f for f in sorted(files) if f.endswith(SPEC_SUFFIXES))
    return found


def load_files(paths: list[Path], root: Path) -> LoadResult:
    """Read and parse each file; problems with one file never stop the others.

    Only regular files inside the project (symlinks followed) are read, each
    within the size limit: a spec that leads outside the project, to a FIFO or
    to /dev/zero is a diagnostic before a byte of it is read.
    """
    result = LoadResult()
    roots = allowed_roots(root)
    contained = Contained(root)  # one lstat per directory, not a full resolve per file
    for path in paths:
        shown = _display(path, root)
        result.files.append(shown)
        plain = contained.directory(path.parent) and not os.path.islink(path)
        text, problem = read_spec_text(path, shown, roots, known_inside=plain)
        if problem is not None:
            result.diagnostics.append(problem)
            continue
        documents, diagnostics = load_text(shown, text)
        result.documents.extend(documents)
        result.diagnostics.extend(diagnostics)
        if diagnostics:
            result._texts[shown] = SourceFile(shown, text)
    return result


def read_spec_text(
    path: Path, shown: str, roots: Sequence[Path], *, known_inside: bool = False
) -> tuple[str, Diagnostic | None]:
    """A spec file's text, or the diagnostic saying why it is not read.

    known_inside skips resolving the path, for a caller that checked it is no
    symlink in directories that stay inside the project.
    """
    if not known_inside and not inside(path, roots):
        if not _resolvable(path):
            return "", Diagnostic(
                Severity.ERROR, "MS002", "cannot read file: its symlinks lead in a loop", shown,
                hint="point the link at a file, or remove it",
            )
        return "", Diagnostic(
            Severity.ERROR, "MS002",
            "file leads outside the project (a symlink to a file elsewhere); it is not read",
            shown, hint="copy the file into the project instead of linking to it",
        )
    try:
        data = read_regular(path, limit=LIMITS.max_file_bytes)
    except FileTooLarge as exc:
        return "", Diagnostic(
            Severity.ERROR, "MS104", str(exc), shown, hint="split it into several spec files"
        )
    except ReadRefused as exc:
        return "", Diagnostic(
            Severity.ERROR, "MS002", f"cannot read file: {exc}", shown,
            hint="a spec is a regular file; remove or rename this one",
        )
    except OSError as exc:
        return "", Diagnostic(
            Severity.ERROR, "MS002", f"cannot read file: {exc.strerror or exc}", shown
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return "", Diagnostic(
            Severity.ERROR, "MS002",
            f"file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            shown, hint="save the file as UTF-8",
        )


def _resolvable(path: Path) -> bool:
    try:
        path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, on Python 3.11 and 3.12
        return False
    return True


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
