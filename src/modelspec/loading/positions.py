"""Source positions for a path into a document, found by walking its composed nodes."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from yaml.nodes import MappingNode, Node, SequenceNode

from modelspec.loading.documents import JsonPath

__all__ = ["compose_roots", "locate"]


def compose_roots(text: str) -> list[Any]:
    from modelspec.loading.yaml12 import compose_all

    if text.startswith("\ufeff"):
        text = text[1:]
    return list(compose_all(text))


def locate(root: Node | None, path: JsonPath, *, key: bool = False) -> tuple[int, int]:
    """1-based (line, column) of the node at path; its deepest existing ancestor otherwise."""
    if root is None:
        return (1, 1)
    node: Node = root
    key_node: Node | None = None
    for part in path:
        child, child_key = _child(node, part)
        if child is None:
            break
        node, key_node = child, child_key
    if key and key_node is not None:
        node = key_node
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


def _child(node: Node, part: str | int) -> tuple[Node | None, Node | None]:
    if isinstance(node, MappingNode):
        return _keys(node).get(str(part), (None, None))
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part], None
    return None, None


# mapping node -> {key text: (value node, key node)}, built once per node: a file with
# thousands of keys and a diagnostic for each would otherwise cost a scan per diagnostic
_KEYS: WeakKeyDictionary[MappingNode, dict[str, tuple[Node, Node]]] = WeakKeyDictionary()


def _keys(node: MappingNode) -> dict[str, tuple[Node, Node]]:
    index = _KEYS.get(node)
    if index is None:
        index = {}
        for key_node, value_node in node.value:
            index.setdefault(str(key_node.value), (value_node, key_node))  # the first, as before
        _KEYS[node] = index
    return index
