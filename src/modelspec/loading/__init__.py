"""Loading: spec files on disk -> Documents with source positions."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.loading.documents import Document, JsonPath, SourceFile, json_pointer
from modelspec.loading.yaml12 import LIMITS, load_text

__all__ = [
    "Document",
    "JsonPath",
    "LoadResult",
    "SourceFile",
    "discover",
    "json_pointer",
    "load_files",
    "load_text",
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
    """Every *.yaml / *.yml file below directory, sorted, skipping hidden directories."""
    found: list[Path] = []
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(current) / f for f in sorted(files) if f.endswith(SPEC_SUFFIXES))
    return found


def load_files(paths: list[Path], root: Path) -> LoadResult:
    """Read and parse each file; problems with one file never stop the others."""
    result = LoadResult()
    for path in paths:
        shown = _display(path, root)
        result.files.append(shown)
        try:
            size = path.stat().st_size
            if size > LIMITS.max_file_bytes:
                result.diagnostics.append(
                    Diagnostic(
                        Severity.ERROR, "MS104",
                        f"file is {size:,} bytes, over the {LIMITS.max_file_bytes:,}-byte limit",
                        shown, hint="split it into several spec files",
                    )
                )
                continue
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            result.diagnostics.append(
                Diagnostic(
                    Severity.ERROR, "MS002", f"file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                    shown, hint="save the file as UTF-8",
                )
            )
            continue
        except OSError as exc:
            result.diagnostics.append(
                Diagnostic(Severity.ERROR, "MS002", f"cannot read file: {exc.strerror}", shown)
            )
            continue
        documents, diagnostics = load_text(shown, text)
        result.documents.extend(documents)
        result.diagnostics.extend(diagnostics)
        if diagnostics:
            result._texts[shown] = SourceFile(shown, text)
    return result


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
