"""Tests for the shared rendering pieces: paths, YAML dumping, labels, the Artifact record."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from modelspec.generate.common import (
    Artifact,
    RenderContext,
    dump_yaml,
    label_value,
    quantity,
    safe_join,
)

AMBIGUOUS = [
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "NULL",
    "~",
    "",
    "1e3",
    "1E3",
    "0x1F",
    "0o17",
    "017",
    "1_000",
    "12:30",
    "12:30:45",
    ".inf",
    "-.inf",
    ".nan",
    "2026-11-20",
    "2026-11-20T10:00:00Z",
    "1.0",
    "-1",
    "+1",
    "0",
    "a: b",
    "key:",
    "- item",
    "#comment",
    "a #b",
    "*alias",
    "&anchor",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "{x: 1}",
    "[1, 2]",
    "|",
    ">",
    "'single'",
    '"double"',
    "?",
    "=",
    "line1\nline2",
    "trailing\n",
    " leading",
    "trailing ",
    "tab\tinside",
    "\u2028sep",
    "<<",
    "unicodé ✓",
    "---",
    "...",
    "-",
    "--",
    "-1e3",
    "--1",
    "-Inf",
    "--port",
    "-- x",
]


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_ambiguous_strings_round_trip_in_yaml_1_1_and_1_2(value: str) -> None:
    document = {"value": value, value: "as key", "list": [value]}
    dumped = dump_yaml(document)
    assert yaml.safe_load(dumped) == document
    assert YAML(typ="safe", pure=True).load(io.BytesIO(dumped)) == document


def test_dump_is_sorted_block_style_and_free_of_document_markers() -> None:
    dumped = dump_yaml({"b": {"z": [1, 2], "x": True}, "a": 0.25}).decode()
    assert dumped == "a: 0.25\nb:\n  x: true\n  z:\n  - 1\n  - 2\n"


def test_plain_strings_stay_readable() -> None:
    document = {"image": "ghcr.io/acme/modelspec:1.0", "kind": "Deployment", "args": ["--port"]}
    dumped = dump_yaml(document).decode()
    assert dumped == "args:\n- --port\nimage: ghcr.io/acme/modelspec:1.0\nkind: Deployment\n"


def test_shared_objects_are_written_out_not_aliased() -> None:
    shared: dict[str, Any] = {"app": "x"}
    dumped = dump_yaml({"a": shared, "b": shared, "c": [shared, shared]}).decode()
    assert "&" not in dumped and "*" not in dumped
    assert yaml.safe_load(dumped) == {"a": shared, "b": shared, "c": [shared, shared]}


def test_dump_does_not_change_pyyaml_globally() -> None:
    dump_yaml({"v": "yes"})
    assert yaml.safe_dump({"v": "abc"}) == "v: abc\n"
    assert yaml.dump({"v": "abc"}) == "v: abc\n"


@pytest.mark.parametrize(
    "path", ["deployments/churn-prod/service.yaml", "models/a/model-card.md", "x"]
)
def test_safe_join_accepts_relative_posix_paths(path: str) -> None:
    assert safe_join(path) == path


def test_safe_join_joins_parts() -> None:
    assert safe_join("models", "churn", "model-card.md") == "models/churn/model-card.md"


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "C:/windows",
        "c:x",
        "../outside",
        "models/../../outside",
        "models/..",
        "./models",
        "models//card.md",
        "models/",
        "models\\card.md",
        "..\\outside",
        "models/\x00.md",
    ],
)
def test_safe_join_rejects_escaping_or_ambiguous_paths(path: str) -> None:
    with pytest.raises(ValueError):
        safe_join(path)


def test_safe_join_rejects_a_part_that_is_parent() -> None:
    with pytest.raises(ValueError):
        safe_join("models", "..", "x")


def test_artifact_digest_is_sha256_of_content() -> None:
    artifact = Artifact(path="a.yaml", content=b"kind: X\n")
    assert artifact.digest == "sha256:" + hashlib.sha256(b"kind: X\n").hexdigest()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.1.0", "2.1.0"),
        ("1.0.0+3", "1.0.0_3"),
        ("Acme ML!", "Acme_ML"),
        ("-x-", "x"),
        ("a" * 80, "a" * 63),
    ],
)
def test_label_value_is_a_valid_kubernetes_label_value(value: str, expected: str) -> None:
    assert label_value(value) == expected


def test_quantity_keeps_strings_and_stringifies_numbers() -> None:
    assert [quantity("500m"), quantity(2), quantity(0.5)] == ["500m", "2", "0.5"]
    with pytest.raises(ValueError):
        quantity(True)


def test_render_context_rejects_an_unknown_engine() -> None:
    with pytest.raises(ValueError, match="airflow"):
        RenderContext(project="p", engine="airflow", image="i", registry_uri="pvc://r")
