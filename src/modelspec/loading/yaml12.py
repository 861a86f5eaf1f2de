"""Safe, fast YAML 1.2 loading: libyaml parses, a small constructor builds plain data.

Why not yaml.safe_load: PyYAML resolves YAML 1.1 (`NO` becomes False), keeps the
last of duplicate keys silently and constructs timestamps. Here libyaml composes
nodes (in C), a YAML 1.2 core-schema resolver types the plain scalars, and the
constructor below refuses duplicate keys, object tags, merge keys, runaway alias
expansion and deep nesting, each as a diagnostic with the token's position.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.nodes import Node, ScalarNode, SequenceNode

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.loading.documents import Document, SourceFile

__all__ = ["LIMITS", "Limits", "PlainYamlError", "compose_all", "load_plain", "load_text"]


class Limits:
    """Bounds that keep a hostile file from exhausting time or memory."""

    max_file_bytes = 4 * 1024 * 1024
    max_depth = 64
    # nodes a document may expand to through aliases (a plain 60-line spec has ~150)
    max_expanded_nodes = 200_000


LIMITS = Limits()
_MAX_NUMBER_CHARS = 64  # as in jsonio: more digits than any float or int64 needs

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Yaml12Resolver(yaml.resolver.BaseResolver):
    """The YAML 1.2 core schema: only true/false are booleans, no timestamps, no merge keys.

    resolve() runs once per scalar from inside libyaml's composer, so it is the
    hot path of loading: most plain scalars are words, settled by their first
    character without trying a regular expression.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                resolvers = self.yaml_implicit_resolvers.get(value[:1])
                if resolvers:
                    for tag, regexp in resolvers:
                        if regexp.match(value):
                            return str(tag)
            return _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None  # no path resolvers

    def ascend_resolver(self) -> None:
        return None


for _tag, _pattern, _first in (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
):
    _Yaml12Resolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


class _Composer(CParser, _Yaml12Resolver):
    """libyaml's parser and composer with the YAML 1.2 resolver."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        _Yaml12Resolver.__init__(self)


def compose_all(text: str) -> list[Node | None]:
    """Compose every document of text into nodes. Raises yaml.YAMLError on bad syntax."""
    composer = _Composer(text)
    try:
        roots: list[Node | None] = []
        while composer.check_node():
            roots.append(composer.get_node())
        return roots
    finally:
        composer.dispose()


class _Refused(Exception):
    """A document breaks a loading rule; carries the diagnostic to report."""

    def __init__(self, node: Node, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.node = node
        self.code = code
        self.message = message
        self.hint = hint


_ALLOWED_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ}


class _Constructor:
    """Builds plain Python data from one document's nodes, counting alias expansion."""

    def __init__(self) -> None:
        self.expanded = 0
        self.memo: dict[int, tuple[Any, int]] = {}

    def build(self, node: Node, depth: int) -> tuple[Any, int]:
        """(value, number of nodes the value expands to).

        Plain string scalars, most of any spec, are taken inline in the loops
        below: this walk runs once per node of every spec file.
        """
        tag = node.tag
        if node.__class__ is ScalarNode:
            if tag == _STR:
                return node.value, 1
            if tag not in _ALLOWED_TAGS:
                raise _refused_tag(node)
            return _scalar(node), 1
        if depth > LIMITS.max_depth:
            raise _Refused(
                node, "MS105", f"nesting deeper than {LIMITS.max_depth} levels",
                "flatten the document; specs never need this depth",
            )
        if tag not in _ALLOWED_TAGS:
            raise _refused_tag(node)
        key = id(node)
        seen = self.memo.get(key)
        if seen is not None:  # an alias: reuse the value, but count its full size
            self._count(node, seen[1])
            return seen
        size = 1
        if isinstance(node, SequenceNode):
            items = []
            for child in node.value:
                if child.__class__ is ScalarNode and child.tag == _STR:
                    items.append(child.value)
                    size += 1
                else:
                    value, n = self.build(child, depth + 1)
                    items.append(value)
                    size += n
            result: tuple[Any, int] = (items, size)
        else:
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                k = self._key(key_node)
                if k in mapping:
                    raise _Refused(
                        key_node, "MS101", f"duplicate key {k!r}",
                        "each key may appear once in a mapping: remove or rename one of them",
                    )
                if value_node.__class__ is ScalarNode and value_node.tag == _STR:
                    mapping[k] = value_node.value
                    size += 2
                else:
                    value, n = self.build(value_node, depth + 1)
                    mapping[k] = value
                    size += n + 1
            result = (mapping, size)
        self.memo[key] = result
        return result

    def _key(self, key_node: Node) -> Any:
        if key_node.__class__ is not ScalarNode:
            raise _Refused(
                key_node, "MS100", "a mapping key must be a plain value, not a list or mapping",
                "use a string key",
            )
        if key_node.tag == _STR:
            if key_node.value == "<<" and not key_node.style:
                raise _Refused(
                    key_node, "MS100", "merge keys (<<) are not part of YAML 1.2",
                    "write the keys out in full",
                )
            return key_node.value
        if key_node.tag not in _ALLOWED_TAGS:
            raise _refused_tag(key_node)
        return _scalar(key_node)

    def _count(self, node: Node, n: int) -> None:
        self.expanded += n
        if self.expanded > LIMITS.max_expanded_nodes:
            raise _Refused(
                node, "MS103",
                f"aliases expand this document past {LIMITS.max_expanded_nodes:,} nodes",
                "this looks like an alias bomb (billion laughs); write the data out instead of "
                "nesting aliases",
            )


def _refused_tag(node: Node) -> _Refused:
    return _Refused(
        node, "MS102", f"tag {_short_tag(node.tag)} is not allowed",
        "specs are plain data: remove the tag (only !!str, !!int, !!float, !!bool, "
        "!!null, !!map and !!seq are accepted)",
    )


def _short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else tag


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _INT:
        if len(value) > _MAX_NUMBER_CHARS:
            raise _Refused(
                node, "MS100", f"an integer of {len(value):,} digits is too large",
                f"numbers in specs have at most {_MAX_NUMBER_CHARS} digits; quote it to keep a string",
            )
        try:
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        except ValueError:
            raise _Refused(node, "MS100", f"{value!r} is not an integer", "quote it to keep a string") from None
    if tag == _FLOAT:
        lowered = value.lower()
        if lowered.endswith("inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        if lowered == ".nan":
            return math.nan
        if len(value) > _MAX_NUMBER_CHARS:
            raise _Refused(
                node, "MS100", f"a number of {len(value):,} characters is too long",
                f"numbers in specs have at most {_MAX_NUMBER_CHARS} characters",
            )
        try:
            return float(value)
        except ValueError:
            raise _Refused(node, "MS100", f"{value!r} is not a number", "quote it to keep a string") from None
    if tag == _BOOL:
        if value.lower() not in ("true", "false"):
            raise _Refused(
                node, "MS100", f"{value!r} is not a boolean",
                "write true or false (YAML 1.2), or quote it to keep a string",
            )
        return value.lower() == "true"
    if value not in ("", "~", "null", "Null", "NULL"):
        raise _Refused(node, "MS100", f"{value!r} is not null", "write null, or quote it to keep a string")
    return None


def load_text(path: str, text: str) -> tuple[list[Document], list[Diagnostic]]:
    """Every non-empty document of one file, or diagnostics saying why not.

    A file with a syntax error yields no documents: its later documents cannot be
    trusted once the parser is lost. A refused document (duplicate key, tag,
    alias bomb) is dropped; the file's other documents still load.
    """
    source = SourceFile(path, text)
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        roots = compose_all(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        return [], [
            Diagnostic(
                Severity.ERROR, "MS100", f"YAML syntax error: {problem}{context}", path, line, column,
                hint="fix the YAML syntax at this position (indentation, a missing ':' or quote)",
            )
        ]
    except yaml.YAMLError as exc:
        return [], [Diagnostic(Severity.ERROR, "MS100", f"YAML error: {exc}", path, 1, 1)]
    source._roots = roots  # keep for position look-ups only while the caller holds this file
    documents: list[Document] = []
    diagnostics: list[Diagnostic] = []
    for index, root in enumerate(roots):
        if root is None:
            continue
        line = root.start_mark.line + 1
        try:
            data, _ = _Constructor().build(root, 0)
        except _Refused as refused:
            mark = refused.node.start_mark
            diagnostics.append(
                Diagnostic(
                    Severity.ERROR, refused.code, refused.message, path, mark.line + 1, mark.column + 1,
                    hint=refused.hint,
                )
            )
            continue
        if data is None:
            continue
        documents.append(Document(source, index, line, data))
    source._roots = None  # positions are recomposed on demand: keeping nodes costs memory
    return documents, diagnostics


class PlainYamlError(ValueError):
    """Text load_plain refuses: a syntax error or a refused node, with its 1-based position."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def load_plain(text: str) -> list[Any]:
    """Every document's plain data, an empty one as None, by the same rules as load_text.

    For comparing two texts' data (fmt, approve): libyaml composes, so this
    costs a small fraction of a round-trip load.
    """
    docs, diagnostics = load_text("", text)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise PlainYamlError(errors[0].message, errors[0].line or 1, errors[0].column or 1)
    by_index = {doc.index: doc.data for doc in docs}
    count = len(compose_all(text.removeprefix("\ufeff")))
    return [by_index.get(index) for index in range(count)]
