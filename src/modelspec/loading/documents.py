"""Documents as loaded from YAML files, and where their keys and values stand in the source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelspec.diagnostics import Diagnostic, Severity

__all__ = ["Document", "JsonPath", "SourceFile", "json_pointer"]

JsonPath = tuple[str | int, ...]


def json_pointer(path: JsonPath) -> str:
    """RFC 6901 pointer for a path: ("spec", "columns", 0) -> "/spec/columns/0"."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@dataclass(eq=False)
class SourceFile:
    """One spec file's text. Positions are found by re-parsing on demand.

    Loading keeps only plain data: re-parsing a file is cheap next to keeping a
    node tree for every spec, and only files with a diagnostic pay for it.
    """

    path: str  # as shown to users: posix, relative to the project root
    text: str
    _roots: list[Any] | None = field(default=None, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)

    def line_text(self, line: int) -> str:
        if self._lines is None:
            self._lines = self.text.splitlines()
        lines = self._lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def position(self, index: int, path: JsonPath, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at path in document index.

        With key=True, the position of the mapping key that holds it. A path that
        does not exist resolves to its deepest existing ancestor.
        """
        from modelspec.loading.positions import locate

        if self._roots is None:
            from modelspec.loading.positions import compose_roots

            self._roots = compose_roots(self.text)
        if index >= len(self._roots):
            return (1, 1)
        return locate(self._roots[index], path, key=key)


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document: its plain data and where it came from."""

    source: SourceFile
    index: int  # 0-based position of the document in its file
    line: int  # 1-based line where the document starts
    data: Any

    @property
    def file(self) -> str:
        return self.source.path

    def position(self, path: JsonPath, *, key: bool = False) -> tuple[int, int]:
        return self.source.position(self.index, path, key=key)

    def diagnostic(
        self,
        code: str,
        message: str,
        path: JsonPath = (),
        *,
        hint: str = "",
        severity: Severity = Severity.ERROR,
        key: bool = False,
    ) -> Diagnostic:
        """A diagnostic pointing at the value (or, with key=True, the key) at path."""
        line, column = self.position(path, key=key) if path else (self.line, 1)
        return Diagnostic(
            severity=severity,
            code=code,
            message=message,
            file=self.file,
            line=line,
            column=column,
            path=json_pointer(path),
            hint=hint,
        )
