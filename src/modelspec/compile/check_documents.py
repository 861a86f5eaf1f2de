"""Document -> typed spec: the envelope and the kind's schema, every error a diagnostic."""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from modelspec.diagnostics import Diagnostic
from modelspec.loading.documents import Document, JsonPath

__all__ = ["check_document"]

_CODE_BY_TYPE = {
    "extra_forbidden": "MS202",
    "missing": "MS203",
    "ms_invalid_name": "MS206",
    "ms_invalid_version": "MS207",
    "ms_invalid_cron": "MS208",
    "ms_inconsistent": "MS209",
}


def check_document(doc: Document) -> tuple[BaseModel | None, list[Diagnostic]]:
    """The validated model of a document, or the diagnostics that explain why not."""
    from modelspec.spec import API_VERSION, KINDS

    data = doc.data
    if not isinstance(data, dict):
        return None, [
            doc.diagnostic(
                "MS106", f"a spec document must be a mapping, not {_type_name(data)}",
                hint="start the document with apiVersion, kind, metadata and spec",
            )
        ]
    diags: list[Diagnostic] = []
    api_version = data.get("apiVersion")
    if api_version != API_VERSION:
        if api_version is None:
            message = "missing apiVersion"
        else:
            message = f"unsupported apiVersion {api_version!r}"
        diags.append(
            doc.diagnostic(
                "MS200", message, ("apiVersion",) if api_version is not None else (),
                hint=f"set `apiVersion: {API_VERSION}`",
            )
        )
    kind = data.get("kind")
    model_class = KINDS.get(kind) if isinstance(kind, str) else None
    if model_class is None or not isinstance(kind, str):
        known = ", ".join(KINDS)
        if kind is None:
            diags.append(doc.diagnostic("MS201", "missing kind", hint=f"set kind to one of {known}"))
        else:
            guess = _did_you_mean(str(kind), list(KINDS))
            diags.append(
                doc.diagnostic(
                    "MS201", f"unknown kind {kind!r}", ("kind",),
                    hint=guess or f"kind must be one of {known}",
                )
            )
        return None, diags
    if diags:
        return None, diags
    try:
        return model_class.model_validate(data), []
    except ValidationError as exc:
        return None, [_diagnostic_for(doc, kind, err) for err in exc.errors(include_url=False)]


def _diagnostic_for(doc: Document, kind: str, err: Any) -> Diagnostic:
    err_type: str = err["type"]
    loc: JsonPath = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    ctx = err.get("ctx") or {}
    code = _CODE_BY_TYPE.get(err_type)
    if code is None:
        code = "MS204" if err_type.endswith("_type") or err_type == "model_attributes_type" else "MS205"
    if err_type == "ms_inconsistent" and ctx.get("at"):
        loc = loc + tuple(_split_at(str(ctx["at"])))
    where = _dotted(loc)
    if err_type == "extra_forbidden":
        field = str(loc[-1]) if loc else ""
        allowed = _allowed_fields(kind, loc[:-1])
        guess = _did_you_mean(field, allowed)
        hint = guess or (f"allowed fields here: {', '.join(allowed)}" if allowed else "remove it")
        parent = _dotted(loc[:-1])
        place = f" in {parent}" if parent else ""
        return doc.diagnostic("MS202", f"unknown field {field!r}{place}", loc, hint=hint, key=True)
    if err_type == "missing":
        field = str(loc[-1]) if loc else ""
        parent = _dotted(loc[:-1])
        place = f" in {parent}" if parent else ""
        return doc.diagnostic(
            "MS203", f"missing required field {field!r}{place}", loc,
            hint=f"add `{field}:`" + (f" under {parent}" if parent else ""), key=True,
        )
    message = str(err["msg"])
    if err_type == "literal_error" and "expected" in ctx:
        field = where or "the value"
        message = f"{field} {_shown(err.get('input'))} is not one of {_choices(str(ctx['expected']))}"
        return doc.diagnostic(code, message, loc, hint=_hint_for(err_type, ctx))
    if code == "MS204":
        message = f"{message} (got {_type_name(err.get('input'))})"
    hint = str(ctx.get("hint", "")) if err_type.startswith("ms_") else _hint_for(err_type, ctx)
    return doc.diagnostic(code, f"{where}: {message}" if where else message, loc, hint=hint)


def _hint_for(err_type: str, ctx: dict[str, Any]) -> str:
    if err_type == "literal_error" and "expected" in ctx:
        return f"use one of {ctx['expected']}"
    if err_type in {"int_type", "float_type", "bool_type", "string_type"}:
        return "check the value's type; quote strings, leave numbers and true/false unquoted"
    if err_type == "string_pattern_mismatch":
        return "the value does not have the required form"
    return ""


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as "a, b, c" (the literals are modelspec's own names)."""
    names = re.findall(r"'([^']*)'", expected)
    return ", ".join(names) if names else expected


def _shown(value: object, limit: int = 60) -> str:
    """The offending value as the message quotes it: a string in quotes, cut when long."""
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[: limit - 3] + "...")
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    shown = str(value) if isinstance(value, (int, float)) else _type_name(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _split_at(at: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in at.split(".") if p]


def _dotted(loc: JsonPath) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _did_you_mean(word: str, candidates: list[str]) -> str:
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f"did you mean {matches[0]!r}?" if matches else ""


@cache
def _kind_schema(kind: str) -> dict[str, Any]:
    from modelspec.spec import KINDS

    schema: dict[str, Any] = KINDS[kind].model_json_schema(by_alias=True)
    return schema


def _allowed_fields(kind: str, loc: JsonPath) -> list[str]:
    """Property names the schema allows at loc (for "did you mean" hints)."""
    schema = _kind_schema(kind)
    defs = schema.get("$defs", {})
    node: dict[str, Any] | None = schema
    for part in loc:
        node = _resolve(node, defs)
        if node is None:
            return []
        if isinstance(part, int):
            node = node.get("items")
        else:
            props = node.get("properties", {})
            node = props.get(part) if part in props else node.get("additionalProperties")
            if not isinstance(node, dict):
                return []
    node = _resolve(node, defs)
    return sorted(node.get("properties", {})) if node else []


def _resolve(node: dict[str, Any] | None, defs: dict[str, Any]) -> dict[str, Any] | None:
    for _ in range(8):
        if node is None:
            return None
        if "$ref" in node:
            node = defs.get(node["$ref"].rsplit("/", 1)[-1])
            continue
        options = node.get("anyOf") or node.get("oneOf")
        if options:
            objects = [o for o in options if o.get("type") != "null"]
            node = objects[0] if objects else None
            continue
        return node
    return node
