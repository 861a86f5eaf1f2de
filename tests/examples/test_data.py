"""Tests for the example datasets: deterministic bytes, the right shape, and data that meets its contracts."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelspec.examples.data import BREAST_CANCER_CSV, DIABETES_CSV, SITES, write_datasets
from modelspec.examples.scaffold import project_files


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("data")
    write_datasets(directory)
    return directory


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def contract(name: str) -> dict[str, Any]:
    for rel, content in project_files().items():
        if rel.startswith("specs/"):
            for doc in yaml.safe_load_all(content.decode("utf-8")):
                if doc["kind"] == "DataContract" and doc["metadata"]["name"] == name:
                    return dict(doc["spec"])
    raise AssertionError(f"no contract {name} in the example")


def test_two_writes_are_byte_identical(datasets: Path, tmp_path: Path) -> None:
    again = write_datasets(tmp_path / "again")
    assert [p.name for p in again] == [BREAST_CANCER_CSV, DIABETES_CSV]
    for path in again:
        assert path.read_bytes() == (datasets / path.name).read_bytes()


def test_write_creates_the_directory(tmp_path: Path) -> None:
    written = write_datasets(tmp_path / "a" / "b")
    assert all(p.is_file() and p.parent == tmp_path / "a" / "b" for p in written)


def test_breast_cancer_shape(datasets: Path) -> None:
    header, rows = read_rows(datasets / BREAST_CANCER_CSV)
    assert len(rows) == 569
    assert header[0] == "patient_id" and header[-1] == "malignant"
    assert len(header) == 12
    assert all(re.fullmatch(r"[a-z_]+", column) for column in header)
    ids = [row["patient_id"] for row in rows]
    assert len(set(ids)) == len(ids)
    assert ids != sorted(ids), "ids should not simply follow row order"
    assert sum(row["malignant"] == "true" for row in rows) == 212
    assert {row["malignant"] for row in rows} == {"true", "false"}
    assert rows[0]["mean_radius"] == "17.99" and rows[0]["mean_area"] == "1001.0"


def test_diabetes_shape(datasets: Path) -> None:
    header, rows = read_rows(datasets / DIABETES_CSV)
    assert len(rows) == 442
    assert header == [
        "age",
        "sex",
        "bmi",
        "bp",
        "s1",
        "s2",
        "s3",
        "s4",
        "s5",
        "s6",
        "site",
        "progression",
    ]
    assert {row["site"] for row in rows} == set(SITES)
    assert rows[0]["progression"] == "151.0"
    assert all(re.fullmatch(r"-?0\.\d{6}", row["bmi"]) for row in rows)


@pytest.mark.parametrize(
    ("name", "file"),
    [("breast-cancer-biopsies", BREAST_CANCER_CSV), ("diabetes-cohort", DIABETES_CSV)],
)
def test_data_meets_its_contract(datasets: Path, name: str, file: str) -> None:
    spec = contract(name)
    assert spec["source"]["path"] == f"data/{file}"
    header, rows = read_rows(datasets / file)
    columns = {c["name"]: c for c in spec["columns"]}
    assert set(columns) <= set(header)
    if spec.get("strict"):
        assert set(header) == set(columns)
    bounds = spec["quality"]["row_count"]
    assert bounds.get("min", 0) <= len(rows) <= bounds.get("max", len(rows))
    for column in columns.values():
        values = [row[column["name"]] for row in rows]
        if column.get("required"):
            assert all(v != "" for v in values), column["name"]
        if column.get("unique"):
            assert len(set(values)) == len(values), column["name"]
        if column["type"] == "float":
            numbers = [float(v) for v in values]
            assert min(numbers) >= column.get("min", float("-inf")), column["name"]
            assert max(numbers) <= column.get("max", float("inf")), column["name"]
        if column["type"] == "boolean":
            assert set(values) <= {"true", "false"}
        if "allowed" in column:
            assert set(values) <= set(column["allowed"]), column["name"]
        if "pattern" in column:
            assert all(re.search(column["pattern"], v) for v in values), column["name"]
