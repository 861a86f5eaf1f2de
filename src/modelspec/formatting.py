"""Canonical layout of spec files that keeps comments, quotes and flow style (text in, text out)."""

from __future__ import annotations

import math
from typing import Any

from modelspec.yamledit import (
    add_document_modelines,
    all_comments,
    dump_document,
    explicit_start_preamble,
    join_documents,
    load_plain,
    round_trip_yaml,
)

__all__ = ["ENVELOPE_ORDER", "METADATA_ORDER", "FormatError", "format_text"]

ENVELOPE_ORDER = ("apiVersion", "kind", "metadata", "spec")
METADATA_ORDER = ("name", "owner", "description", "labels")


class FormatError(Exception):
    """The text cannot be formatted: it is not valid YAML, or formatting would change its data.

    line and column are 1-based.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


def format_text(text: str) -> str:
    """The canonical layout of a (multi-document) YAML text; raises FormatError on invalid YAML.

    Every document gets the editor's modeline when the file has one for some document
    (yaml-language-server reads a modeline only in its own document).
    """
    plain = _load_plain(text)
    expected = _comparable(plain)
    docs = _load_round_trip(text)
    if all(doc is None for doc in docs):
        layout = text  # only comments, or nothing: no structure to lay out
    else:
        for doc in docs:
            _reorder(doc, ENVELOPE_ORDER)
            if _is_mapping(doc) and _is_mapping(doc.get("metadata")):
                _reorder(doc["metadata"], METADATA_ORDER, parent=doc, parent_key="metadata")
        preamble = explicit_start_preamble(text)
        layout = (preamble or "") + _dump(docs, explicit_start=preamble is not None)
        if _comparable(_safe_or_none(layout)) != expected:
            raise FormatError("formatting would change the data; the file is left as it is")
    # Each refinement is textual, so it is kept only where the data stays the same: a line
    # inside a block scalar can look like a comment or end in spaces that are data.
    for refine in (_strip_trailing_whitespace, _align_comments, _single_final_newline):
        candidate = refine(layout)
        if candidate != layout and _comparable(_safe_or_none(candidate)) == expected:
            layout = candidate
    if layout and not layout.endswith("\n"):
        layout += "\n"
    if all_comments(layout) != all_comments(text):
        raise FormatError("formatting would lose a comment; the file is left as it is")
    kinds = [doc.get("kind") if isinstance(doc, dict) else None for doc in plain]
    with_modelines = add_document_modelines(layout, kinds)
    if _comparable(_safe_or_none(with_modelines)) == expected:
        layout = with_modelines
    return layout


# ---------------------------------------------------------------- loading and dumping


def _position(exc: Exception) -> tuple[int, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def _error_message(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    parts = [str(p) for p in (context, problem) if p]
    message = " ".join(parts) if parts else str(exc).splitlines()[0]
    return f"invalid YAML: {message}"


def _load_round_trip(text: str) -> list[Any]:
    from ruamel.yaml.error import YAMLError, YAMLFutureWarning

    try:
        return list(round_trip_yaml().load_all(text))
    except (YAMLError, YAMLFutureWarning) as exc:
        raise FormatError(_error_message(exc), *_position(exc)) from exc


def _load_plain(text: str) -> list[Any]:
    from modelspec.loading.yaml12 import PlainYamlError

    try:
        return load_plain(text)
    except PlainYamlError as exc:
        raise FormatError(exc.message, exc.line, exc.column) from exc


def _dump(docs: list[Any], *, explicit_start: bool) -> str:
    """The documents, `---` between them; an empty document stays a bare `---`."""
    yaml = round_trip_yaml()
    parts = []
    for doc in docs:
        part = dump_document(yaml, doc)
        parts.append(_dedent_root_sequence(part) if _is_block_seq(doc) else part)
    return join_documents(parts, explicit_start=explicit_start or not parts[0])


def _dedent_root_sequence(text: str) -> str:
    """A top-level block sequence starts at column 0 (the offset only applies under a key)."""
    dedented = "".join(
        line[2:] if line.startswith("  ") else line for line in text.splitlines(keepends=True)
    )
    if _comparable(_safe_or_none(dedented)) == _comparable(_safe_or_none(text)):
        return dedented
    return text


def _strip_trailing_whitespace(text: str) -> str:
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def _single_final_newline(text: str) -> str:
    body = text.strip("\n")
    return body + "\n" if body.strip() else ""


def _align_comments(text: str) -> str:
    """Indent each comment line like the line it precedes (ruamel keeps the original columns).

    A comment that ends a document keeps its place. Callers check the data is unchanged,
    since a `#` line inside a block scalar is not a comment.
    """
    lines = text.splitlines()
    next_indent: str | None = None
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        stripped = line.lstrip()
        if stripped.startswith("#"):
            if next_indent is not None:
                lines[index] = next_indent + stripped
        elif stripped.startswith(("---", "...")):
            next_indent = None
        elif stripped:
            next_indent = line[: len(line) - len(stripped)]
    return "".join(line + "\n" for line in lines)


def _safe_or_none(text: str) -> Any:
    try:
        return _load_plain(text)
    except FormatError:
        return None


def _comparable(value: Any) -> Any:
    """The loaded data in a form where equality means "the same data" (NaN equals NaN)."""
    if isinstance(value, dict):
        return {_comparable(k): _comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_comparable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "<nan>"
    return value


# ---------------------------------------------------------------- key order and comments


def _is_mapping(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap

    return isinstance(node, CommentedMap)


def _is_block_seq(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedSeq

    return isinstance(node, CommentedSeq) and not node.fa.flow_style()


def _is_block_scalar(node: Any) -> bool:
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    return isinstance(node, FoldedScalarString | LiteralScalarString)


def _reorder(
    mapping: Any, order: tuple[str, ...], *, parent: Any = None, parent_key: Any = None
) -> None:
    """Put the keys in order (then any others as they were), moving comments with their keys.

    ruamel keeps the comment lines that precede a key in the tail of whatever
    came before it (often the deepest last value of the previous entry), so
    those lines are detached first and reattached in front of the same key.
    """
    if not _is_mapping(mapping):
        return
    keys = list(mapping.keys())
    wanted = [k for k in order if k in mapping] + [k for k in keys if k not in order]
    if wanted == keys:
        return
    leads: dict[Any, str] = {key: "" for key in keys}
    if parent is not None:
        # A nested mapping's head comment belongs to its first key, and moves with it.
        leads[keys[0]] = _take_head_comment(mapping, parent, parent_key)
    for index, key in enumerate(keys):
        leads[key] += _take_pre_comments(mapping, key)
        if index + 1 < len(keys):
            leads[keys[index + 1]] = _take_tail(mapping, key)
    # What follows the last value ends the mapping, and stays at its end.
    end = _take_tail(mapping, keys[-1])
    for key in wanted:
        mapping.move_to_end(key)
    for index, key in enumerate(wanted):
        lead = leads.get(key, "")
        if not lead:
            continue
        if index == 0:
            if lead.strip():
                _add_head_comment(mapping, lead.lstrip("\n"), parent, parent_key)
        else:
            _append_tail(mapping, wanted[index - 1], lead)
    if end:
        _append_tail(mapping, wanted[-1], end)


def _tail_slot(container: Any, key: Any) -> tuple[Any, Any, int]:
    """Where the comment after the last scalar of container[key] is kept: (node, key, slot)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    value = container[key]
    if isinstance(value, CommentedMap | CommentedSeq) and value and not value.fa.flow_style():
        last = list(value.keys())[-1] if isinstance(value, CommentedMap) else len(value) - 1
        return _tail_slot(value, last)
    return container, key, 0 if isinstance(container, CommentedSeq) else 2


def _take_tail(container: Any, key: Any) -> str:
    """Detach the comment lines after the end-of-line comment of container[key]'s last value."""
    node, slot_key, slot = _tail_slot(container, key)
    entry = node.ca.items.get(slot_key)
    token = entry[slot] if entry and len(entry) > slot else None
    if token is None:
        return ""
    value: str = token.value
    if _is_block_scalar(node[slot_key]):
        # A block scalar ends its own line: every comment line is one that follows it.
        entry[slot] = None
        return value
    eol, newline, rest = value.partition("\n")
    if eol.strip():
        token.value = eol + newline
    else:
        entry[slot] = None
    return rest


def _take_pre_comments(mapping: Any, key: Any) -> str:
    entry = mapping.ca.items.get(key)
    if not entry or len(entry) < 2 or not entry[1]:
        return ""
    text = "".join(" " * _column(token) + token.value for token in entry[1])
    entry[1] = None
    return text


def _column(token: Any) -> int:
    mark = getattr(token, "start_mark", None)
    return int(getattr(mark, "column", 0) or 0)


def _append_tail(container: Any, key: Any, text: str) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    node, slot_key, slot = _tail_slot(container, key)
    entry = node.ca.items.setdefault(slot_key, [None, None, None, None])
    while len(entry) <= slot:
        entry.append(None)
    token = entry[slot]
    if token is None:
        line_end = "" if _is_block_scalar(node[slot_key]) else "\n"
        entry[slot] = CommentToken(line_end + text, CommentMark(0))
    else:
        token.value = token.value + text


def _take_head_comment(mapping: Any, parent: Any, parent_key: Any) -> str:
    comment = mapping.ca.comment
    if not comment or len(comment) < 2 or not comment[1]:
        return ""
    text = "".join(" " * _column(token) + token.value for token in comment[1])
    comment[1] = None
    entry = parent.ca.items.get(parent_key)
    if entry and len(entry) > 3:
        entry[3] = None
    return text


def _add_head_comment(mapping: Any, text: str, parent: Any, parent_key: Any) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    tokens = [CommentToken(text, CommentMark(0))]
    if mapping.ca.comment is None:
        mapping.ca.comment = [None, tokens]
    elif mapping.ca.comment[1] is None:
        mapping.ca.comment[1] = tokens
    else:
        tokens = mapping.ca.comment[1] = [*mapping.ca.comment[1], *tokens]
    if parent is not None:
        # ruamel emits a nested mapping's head comment from its parent's entry.
        entry = parent.ca.items.setdefault(parent_key, [None, None, None, None])
        while len(entry) < 4:
            entry.append(None)
        entry[3] = tokens
