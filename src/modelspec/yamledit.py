"""Comment-keeping YAML edits (ruamel round trip), shared by `fmt` and `approve`.

ruamel.yaml is imported inside the functions: `validate` and `plan` load YAML
with libyaml and never need the round-trip loader.
"""

from __future__ import annotations

import io
import re
from typing import Any

__all__ = [
    "MAX_ROUND_TRIP_BYTES",
    "MODELINE",
    "WIDTH",
    "add_document_modelines",
    "all_comments",
    "comment_lines",
    "dump_document",
    "explicit_start_preamble",
    "join_documents",
    "load_plain",
    "round_trip_yaml",
]

# ruamel's round trip is pure Python: 128 KiB takes about 6 s, and a spec is a few KiB.
MAX_ROUND_TRIP_BYTES = 128 * 1024
# Long strings are never re-wrapped: a width no line reaches.
WIDTH = 1_000_000
_EOL_COMMENT = re.compile(r"[ \t]#")
# yaml-language-server reads a modeline only in the YAML document it stands in: a file of
# several documents needs one after every `---`.
MODELINE = "# yaml-language-server: $schema={schema}"
_MODELINE = re.compile(r"^\s*#\s*yaml-language-server\s*:\s*\$schema=(\S+)\s*$")
_KIND_SCHEMA = re.compile(r"^(?P<folder>(?:.*/)?)(?P<kind>[a-z][a-z0-9]*)\.schema\.json$")
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def round_trip_yaml() -> Any:
    """A new round-trip YAML: quotes kept, 2-space mappings, sequences indented under their key."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = WIDTH
    return yaml


def load_plain(text: str) -> list[Any]:
    """Every document as plain data, as validate reads it; raises PlainYamlError (a ValueError)."""
    from modelspec.loading.yaml12 import load_plain as load

    return load(text)


def dump_document(yaml: Any, doc: Any) -> str:
    """One round-trip document as text; an empty document is the empty string."""
    if doc is None:
        return ""
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()


def join_documents(parts: list[str], *, explicit_start: bool) -> str:
    """Dumped documents with `---` between them, and before the first when explicit_start."""
    return ("---\n" if explicit_start else "") + "---\n".join(parts)


def explicit_start_preamble(text: str) -> str | None:
    """The comment and directive lines above a leading `---` (which ruamel would drop).

    None when the first document does not open with `---`.
    """
    lines: list[str] = []
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped == "---" or stripped.startswith(("--- ", "---\t")):
            return "".join(lines)
        if stripped and not stripped.startswith(("#", "%")):
            return None
        lines.append(line)
    return None


def comment_lines(text: str) -> list[str]:
    """The whole-line comments, in order: a check that an edit of values kept every one."""
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def all_comments(text: str) -> list[str]:
    """Every comment's text (end-of-line ones too), sorted: a check that a re-layout dropped none."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            found.append(stripped)
        elif match := _EOL_COMMENT.search(line):
            found.append(line[match.start() :].strip())
    return sorted(found)


def add_document_modelines(text: str, kinds: list[str | None]) -> str:
    """The text with a modeline in every document that has none, like the ones it has.

    kinds are the documents' `kind` values, in order. Only a file whose modelines
    name `<folder><kind>.schema.json` for their own document's kind (as init and
    approve write them) gets more: the same folder, the other document's kind, on
    the line after its `---` (the first document's at the top of the file). A text
    whose documents cannot be told apart line by line is returned as it is.
    """
    lines = text.splitlines(keepends=True)
    heads = _document_heads(lines, len(kinds))
    if heads is None:
        return text
    folder = next(
        (
            schema["folder"]
            for (_, start, end), kind in zip(heads, kinds, strict=True)
            for line in lines[start:end]
            if (match := _MODELINE.match(line))
            and (schema := _KIND_SCHEMA.match(match.group(1)))
            and isinstance(kind, str)
            and schema["kind"] == kind.lower()
        ),
        None,
    )
    if folder is None:
        return text
    for (insert_at, start, end), kind in reversed(list(zip(heads, kinds, strict=True))):
        named = isinstance(kind, str) and _KIND.fullmatch(kind)
        if named and not any(_MODELINE.match(line) for line in lines[start:end]):
            path = f"{folder}{str(kind).lower()}.schema.json"
            lines.insert(insert_at, MODELINE.format(schema=path) + "\n")
    return "".join(lines)


def _document_heads(lines: list[str], count: int) -> list[tuple[int, int, int]] | None:
    """Per document: where a modeline goes, and the lines before its first content line.

    A document starts after a `---` line at column 0 (inside a scalar a document marker
    must be indented), the first one also at the top of the file: its head then takes in
    the comments above a leading `---`. None when the documents cannot be found so.
    """
    markers = [i for i, line in enumerate(lines) if _is_marker(line)]
    if any(lines[i].rstrip("\r\n") != "---" for i in markers):
        return None  # `--- value`: no line between the marker and the content
    explicit = bool(markers) and not any(_is_content(line) for line in lines[: markers[0]])
    starts = [0] + [i + 1 for i in (markers[1:] if explicit else markers)]
    if len(starts) != count:
        return None
    heads = []
    for start in starts:
        leading = markers[0] if explicit and start == 0 else None
        end = start
        while end < len(lines) and not _is_content(lines[end]):
            if _is_marker(lines[end]) and end != leading:
                break
            end += 1
        insert_at = leading + 1 if leading is not None else start
        heads.append((insert_at, start, end))
    return heads


def _is_marker(line: str) -> bool:
    return line.startswith("---") and line[3:4] in ("", " ", "\t", "\r", "\n")


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(("#", "%")) and not _is_marker(line)
