"""A DataContract as a Great Expectations 1.x suite and a JSON Schema for one record.

Both are plain JSON rendered without importing Great Expectations:
`contracts/<name>/expectations.json` loads with `gx.ExpectationSuite(**json)`,
and `contracts/<name>/record.schema.json` is a JSON Schema (2020-12) that a
single record (one row as an object) must meet.

Every expectation's `meta` says where it comes from: the contract, the
column (absent for table checks), the constraint ("type", "required",
"min", ...) and the rule in plain words, which is what `data validate`
reports. Type checks are written for GX's pandas engine on pandas 2 and 3
alike: numbers and booleans by dtype name (`expect_column_values_to_be_in_type_list`,
numpy and nullable pandas dtypes, Python value types for object columns),
text by `expect_column_values_to_be_of_type` with `str`, the one check that
passes on pandas 3's `str` dtype, the nullable `string` dtype and pandas 2's
object columns of text (GX compares the dtype's scalar type, `str`, there).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from modelspec.compile.graph import Resource
from modelspec.compile.views import ContractView
from modelspec.generate.common import Artifact, safe_join

__all__ = [
    "DATETIME_PATTERN",
    "DATE_PATTERN",
    "MATCH_REGEX",
    "TEXT_TYPE",
    "TYPE_CHECKS",
    "TYPE_LISTS",
    "Expectation",
    "dump_json",
    "expectations_of",
    "record_schema",
    "render_expectations",
    "suite_of",
]

_INTEGER = [
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "Int8Dtype", "Int16Dtype", "Int32Dtype", "Int64Dtype",
    "UInt8Dtype", "UInt16Dtype", "UInt32Dtype", "UInt64Dtype",
    "int",
]

# Names GX 1.x resolves for the pandas engine: numpy dtype names, pandas
# extension dtype class names (`Int64Dtype`), and Python type names for object
# columns, which GX checks value by value.
TYPE_LISTS: dict[str, list[str]] = {
    "integer": _INTEGER,
    "float": ["float16", "float32", "float64", "Float32Dtype", "Float64Dtype", "float", *_INTEGER],
    "boolean": ["bool", "BooleanDtype"],
}
# Text columns (string, and date/datetime written as ISO 8601 text): no type
# list matches pandas 3's `str` dtype in GX 1.24 (it compares the dtype itself,
# and `StringDtype` names only the NA-valued `string` dtype), but
# `expect_column_values_to_be_of_type` compares the dtype's scalar type, which
# is `str` for both string dtypes, and checks object columns value by value.
TEXT_TYPE = "str"
TYPE_CHECKS = ("expect_column_values_to_be_in_type_list", "expect_column_values_to_be_of_type")

# The pattern checks; `data validate` matches them with RE2 itself (engine/data_validation.py)
# rather than through GX, whose pandas engine uses Python's re.
MATCH_REGEX = "expect_column_values_to_match_regex"

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_TEXT_FORMS = {
    "date": (DATE_PATTERN, "dates written YYYY-MM-DD"),
    "datetime": (DATETIME_PATTERN, "ISO 8601 date-times"),
}
_TYPE_WORDS = {
    "integer": "whole numbers",
    "float": "numbers",
    "string": "text",
    "boolean": "true/false values",
    "date": "dates",
    "datetime": "date-times",
}
_JSON_TYPES = {
    "integer": "integer",
    "float": "number",
    "string": "string",
    "boolean": "boolean",
    "date": "string",
    "datetime": "string",
}


@dataclass(frozen=True)
class Expectation:
    """One GX expectation with where it comes from; `rule` says it in plain words."""

    type: str  # snake_case GX name: "expect_column_values_to_not_be_null"
    kwargs: dict[str, Any]
    column: str | None  # None for checks on the whole table
    constraint: str  # "exists", "type", "required", "min", "row_count", "columns", ...
    rule: str

    def as_json(self, contract: str) -> dict[str, Any]:
        meta: dict[str, Any] = {"contract": contract, "constraint": self.constraint, "rule": self.rule}
        if self.column is not None:
            meta["column"] = self.column
        return {"type": self.type, "kwargs": self.kwargs, "meta": meta}


def render_expectations(resource: Resource) -> list[Artifact]:
    """The suite and the record schema of a DataContract, sorted by path."""
    base = f"contracts/{resource.name}"
    return [
        Artifact(safe_join(base, "expectations.json"), dump_json(suite_of(resource))),
        Artifact(safe_join(base, "record.schema.json"), dump_json(record_schema(resource))),
    ]


def dump_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, trailing newline."""
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def suite_of(resource: Resource) -> dict[str, Any]:
    """The ExpectationSuite JSON of a contract (no ids: GX assigns them when it loads the suite)."""
    return {
        "name": resource.name,
        "expectations": [e.as_json(resource.name) for e in expectations_of(resource)],
        "meta": {
            "contract": resource.name,
            "contract_version": ContractView(resource).version,
            "generated_by": "modelspec",
        },
    }


def expectations_of(resource: Resource) -> list[Expectation]:
    """Every constraint of a contract as an expectation: columns in order, then table checks."""
    contract = ContractView(resource)
    out: list[Expectation] = []
    for column in contract.columns:
        out.extend(_column_expectations(column))
    out.extend(_table_expectations(contract))
    return out


def _column_expectations(column: Mapping[str, Any]) -> list[Expectation]:
    name: str = column["name"]
    ctype: str = column["type"]

    def make(kind: str, constraint: str, rule: str, **kwargs: Any) -> Expectation:
        return Expectation(kind, {"column": name, **kwargs}, name, constraint, f"{name} {rule}")

    holds = f"holds {_TYPE_WORDS[ctype]} ({ctype})"
    out = [
        make("expect_column_to_exist", "exists", "is present in the data"),
        make(TYPE_CHECKS[0], "type", holds, type_list=TYPE_LISTS[ctype]) if ctype in TYPE_LISTS
        else make(TYPE_CHECKS[1], "type", holds, type_=TEXT_TYPE),
    ]
    if ctype in _TEXT_FORMS:
        regex, words = _TEXT_FORMS[ctype]
        out.append(make(MATCH_REGEX, "type", f"holds {words}", regex=regex))
    if column.get("required"):
        out.append(make("expect_column_values_to_not_be_null", "required", "has a value in every row"))
    if column.get("unique"):
        out.append(make("expect_column_values_to_be_unique", "unique", "has no repeated values"))
    if column.get("min") is not None:
        out.append(make(
            "expect_column_values_to_be_between", "min", f"is at least {_show(column['min'])}",
            min_value=column["min"],
        ))
    if column.get("max") is not None:
        out.append(make(
            "expect_column_values_to_be_between", "max", f"is at most {_show(column['max'])}",
            max_value=column["max"],
        ))
    if column.get("allowed") is not None:
        allowed = column["allowed"]
        out.append(make(
            "expect_column_values_to_be_in_set", "allowed",
            f"is one of {', '.join(_show(v) for v in allowed)}", value_set=allowed,
        ))
    if column.get("pattern") is not None:
        out.append(make(
            MATCH_REGEX, "pattern", f"matches {column['pattern']}", regex=column["pattern"],
        ))
    if column.get("min_length") is not None:
        n = column["min_length"]
        out.append(make(
            "expect_column_value_lengths_to_be_between", "min_length",
            f"is at least {n} character{'s' * (n != 1)} long", min_value=n,
        ))
    if column.get("max_length") is not None:
        n = column["max_length"]
        out.append(make(
            "expect_column_value_lengths_to_be_between", "max_length",
            f"is at most {n} character{'s' * (n != 1)} long", max_value=n,
        ))
    return out


def _table_expectations(contract: ContractView) -> list[Expectation]:
    names = contract.column_names
    strict = contract.strict
    out = [
        Expectation(
            "expect_table_columns_to_match_set",
            {"column_set": names, "exact_match": strict},
            None,
            "columns",
            "the data has exactly the contract's columns" if strict
            else "the data has every column of the contract (others are allowed)",
        )
    ]
    row_count = (contract.spec.get("quality") or {}).get("row_count")
    if row_count:
        low, high = row_count.get("min"), row_count.get("max")
        kwargs = {k: v for k, v in (("min_value", low), ("max_value", high)) if v is not None}
        if low is not None and high is not None:
            words = f"the data has between {low} and {high} rows"
        elif low is not None:
            words = f"the data has at least {low} rows"
        else:
            words = f"the data has at most {high} rows"
        out.append(Expectation("expect_table_row_count_to_be_between", kwargs, None, "row_count", words))
    return out


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def record_schema(resource: Resource) -> dict[str, Any]:
    """JSON Schema (2020-12) for one record of the contract's data.

    `required` lists the required columns; a column that is not required may
    be null or absent. With `strict: true` no other keys are allowed.
    """
    contract = ContractView(resource)
    properties = {c["name"]: _column_schema(c) for c in contract.columns}
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{resource.name} record",
        "description": f"One record of data contract {resource.name} {contract.version}".rstrip(),
        "type": "object",
        "properties": properties,
        "required": [c["name"] for c in contract.columns if c.get("required")],
    }
    if contract.strict:
        schema["additionalProperties"] = False
    return schema


def _column_schema(column: Mapping[str, Any]) -> dict[str, Any]:
    ctype = column["type"]
    nullable = not column.get("required")
    json_type = _JSON_TYPES[ctype]
    out: dict[str, Any] = {"type": [json_type, "null"] if nullable else json_type}
    if column.get("description"):
        out["description"] = column["description"]
    if ctype == "date":
        out["format"] = "date"
    elif ctype == "datetime":
        out["format"] = "date-time"
    if ctype in _TEXT_FORMS:
        out["pattern"] = _TEXT_FORMS[ctype][0]
    for key, word in (
        ("min", "minimum"), ("max", "maximum"),
        ("min_length", "minLength"), ("max_length", "maxLength"),
    ):
        if column.get(key) is not None:
            out[word] = column[key]
    if column.get("pattern") is not None:  # string columns only, so no clash with a date's
        out["pattern"] = column["pattern"]
    if column.get("allowed") is not None:
        out["enum"] = [*column["allowed"], *([None] if nullable else [])]
    return out
