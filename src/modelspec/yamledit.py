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
    "WIDTH",
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
