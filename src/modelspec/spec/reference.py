"""The spec reference (docs/spec-reference.md), rendered from the JSON Schemas."""

from __future__ import annotations

import json
from typing import Any

from modelspec.spec.common import ERROR_TYPES, NAME_PATTERN, SEMVER_PATTERN
from modelspec.spec.conditions import COMBINATORS, OPERATORS
from modelspec.spec.estimators import ALLOWED
from modelspec.spec.kinds import KINDS
from modelspec.spec.schema import PROJECT_SCHEMA_FILE, json_schemas, schema_file

__all__ = ["render_markdown"]

Node = dict[str, Any]

_INTRO = """\
# modelspec/v1 spec reference

Generated from the spec models by `modelspec.spec.reference.render_markdown()`;
do not edit by hand. Every document has the envelope `apiVersion: modelspec/v1`,
`kind`, `metadata` and `spec`. Unknown fields are errors. Dates are strings
written `YYYY-MM-DD`. Names are DNS-1123 labels: at most 63 lowercase letters,
digits and `-`, starting and ending with a letter or digit. A resource's address
is `<kind in lowercase>.<name>`, e.g. `model.churn-classifier`.

Fields marked *optional* may be left out; a default, where there is one, is in
the description. Besides the per-field constraints below, each description
states the cross-field rules checked on the spec (for example min at most max,
schedule required for batch deployments).
"""

_CONDITIONS = """\
## Conditions

A condition (Policy `applies_to.where` and rule `assert`) has exactly one form:

- `field: PATH` with exactly one operator: {operators};
- or exactly one of {combinators}.

PATH is a dotted path into the resource document (`metadata.name`,
`spec.risk.tier`) or into the documents it references (`refs.contract...` of a
Model; `refs.model...` and `refs.target...` of a Deployment). List elements are
addressed by index (`spec.data.features.0`). A null value cannot be tested with
`equals`; use `exists: false`.
"""


def _resolve(node: Node, defs: dict[str, Node]) -> Node:
    ref = node.get("$ref")
    if isinstance(ref, str):
        return defs[ref.rsplit("/", 1)[-1]]
    return node


def _is_condition(node: Node) -> bool:
    return str(node.get("$ref", "")).endswith("/Condition")


def _constraints(node: Node) -> list[str]:
    if node.get("pattern") == NAME_PATTERN:
        return ["DNS-1123 label"]
    if node.get("pattern") == SEMVER_PATTERN:
        return ["semantic version MAJOR.MINOR.PATCH"]
    out = []
    for key, text in (
        ("exclusiveMinimum", "> {}"),
        ("minimum", ">= {}"),
        ("exclusiveMaximum", "< {}"),
        ("maximum", "<= {}"),
        ("minLength", "length >= {}"),
        ("maxLength", "length <= {}"),
        ("minItems", "at least {} item(s)"),
        ("minProperties", "at least {} entry"),
        ("format", "format {}"),
        ("pattern", "pattern `{}`"),
    ):
        if key in node:
            out.append(text.format(node[key]))
    return out


def _type(node: Node, defs: dict[str, Node]) -> str:
    if _is_condition(node):
        return "condition"
    node = _resolve(node, defs)
    if "anyOf" in node:
        parts = [_type(n, defs) for n in node["anyOf"] if n.get("type") != "null"]
        return " or ".join(parts).replace("integer or number", "number")
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        text = "list of " + _type(node.get("items", {}), defs)
    elif kind == "object" and "properties" in node:
        text = "object"
    elif kind == "object":
        text = "map of string to " + _type(node.get("additionalProperties", {}), defs)
    else:
        text = str(kind)
    text = text.replace("integer or number", "number")
    extra = _constraints(node)
    return text + (f" ({'; '.join(extra)})" if extra else "")


def _rows(node: Node, defs: dict[str, Node], prefix: str) -> list[str]:
    node = _resolve(node, defs)
    required = set(node.get("required", []))
    rows = []
    for name, child in sorted(node.get("properties", {}).items()):
        path = prefix + name
        if name in required:
            presence = "required"
        elif "default" in child and child["default"] is not None:
            presence = f"default `{json.dumps(child['default'])}`"
        else:
            presence = "optional"
        text = child.get("description") or _resolve(child, defs).get("description", "")
        description = str(text).replace("|", "\\|")
        kind = _type(child, defs).replace("|", "\\|")
        rows.append(f"| `{path}` | {kind} | {presence} | {description} |")
        for nested, suffix in _objects_below(child, defs):
            rows.extend(_rows(nested, defs, path + suffix + "."))
    return rows


def _objects_below(node: Node, defs: dict[str, Node]) -> list[tuple[Node, str]]:
    """Object schemas a field holds directly ("") or as list items ("[]")."""
    if _is_condition(node):
        return []
    node = _resolve(node, defs)
    options = node.get("anyOf", [node])
    out = []
    for option in options:
        if _is_condition(option):
            continue
        option = _resolve(option, defs)
        if option.get("type") == "object" and "properties" in option:
            out.append((option, ""))
        elif option.get("type") == "array":
            items = option.get("items", {})
            if not _is_condition(items):
                resolved = _resolve(items, defs)
                if "properties" in resolved:
                    out.append((resolved, "[]"))
    return out


def _table(schema: Node, prefix: str = "") -> list[str]:
    defs = schema.get("$defs", {})
    return [
        "| field | type | presence | description |",
        "| --- | --- | --- | --- |",
        *_rows(schema, defs, prefix),
    ]


def render_markdown() -> str:
    """The whole reference as Markdown; deterministic."""
    schemas = json_schemas()
    lines = [_INTRO]
    for kind in KINDS:
        schema = schemas[schema_file(kind)]
        lines += [f"## {kind}", "", str(schema["description"]), "", *_table(schema), ""]
    policy_defs = schemas[schema_file("Policy")]["$defs"]
    lines.append(
        _CONDITIONS.format(
            operators=", ".join(f"`{o}`" for o in OPERATORS),
            combinators=", ".join(f"`{c}`" for c in COMBINATORS),
        )
    )
    lines += [*_table({"$defs": policy_defs, **policy_defs["Condition"]}), ""]
    lines += [
        "## Estimator allow-list",
        "",
        "`spec.training.estimator.class` of a Model must be one of these, for the model's task.",
        "",
        "| class | task |",
        "| --- | --- |",
        *(f"| `{e.path}` | {e.task} |" for e in sorted(ALLOWED.values(), key=lambda e: e.path)),
        "",
    ]
    lines += [
        "## Error types",
        "",
        "Besides the generic ones (unknown field, missing field, wrong type, value not",
        "allowed, pattern mismatch, out of range), validation reports these:",
        "",
        "| error type | meaning |",
        "| --- | --- |",
        *(f"| `{name}` | {meaning} |" for name, meaning in ERROR_TYPES.items()),
        "",
    ]
    project = schemas[PROJECT_SCHEMA_FILE]
    lines += ["## Project file (modelspec.yaml)", "", str(project["description"]), ""]
    lines += [*_table(project), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
