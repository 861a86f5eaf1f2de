"""Data validation with Great Expectations on real frames: the example data passes, broken data fails by column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelspec.compile import compile_documents, load_graph
from modelspec.compile.graph import Graph, Resource
from modelspec.engine.data_validation import (
    DataReadError,
    DataValidationResult,
    validate_data,
    validate_file,
)
from modelspec.generate.expectations import render_expectations
from modelspec.loading import load_text
from modelspec.project import load_project

pd = pytest.importorskip("pandas")
pytestmark = pytest.mark.slow  # imports Great Expectations (a few seconds, once per process)

TYPED = """\
apiVersion: modelspec/v1
kind: DataContract
metadata: {name: typed, owner: t}
spec:
  version: 1.0.0
  source: {path: data/typed.csv, format: csv}
  columns:
    - {name: n, type: integer, min: 0}
    - {name: x, type: float}
    - {name: s, type: string, pattern: "^[a-z]+$", min_length: 2, max_length: 4}
    - {name: b, type: boolean}
    - {name: d, type: date}
    - {name: t, type: datetime}
"""


@pytest.fixture(autouse=True)
def fast_validation() -> list[str]:
    """Overrides the stand-in of tests/support/engine_fixtures.py: this module tests the real validation."""
    return []


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Graph]:
    from modelspec.examples.scaffold import init_project

    root = tmp_path_factory.mktemp("example")
    init_project(root)
    project, diags = load_project(root)
    assert project is not None, diags
    graph, diags = load_graph(project)
    assert not [d for d in diags if d.is_error]
    return root, graph


def contract_from(text: str, name: str) -> Resource:
    docs, _ = load_text("c.yaml", text)
    graph, diags = compile_documents(docs)
    assert diags == []
    return graph.resources[f"datacontract.{name}"]


def failing(result: DataValidationResult) -> dict[tuple[str | None, str], Any]:
    return {(c.column, c.rule): (c.unexpected_count, c.unexpected_sample) for c in result.failures}


def test_the_suite_json_loads_in_great_expectations(example: tuple[Path, Graph]) -> None:
    import great_expectations as gx

    for contract in example[1].of_kind("DataContract"):
        suite_json = json.loads(render_expectations(contract)[0].content)
        suite = gx.ExpectationSuite(**suite_json)
        assert suite.name == contract.name
        assert len(suite.expectations) == len(suite_json["expectations"])
        assert (suite.expectations[0].meta or {})["contract"] == contract.name


def test_the_shipped_data_passes_its_contracts(example: tuple[Path, Graph]) -> None:
    root, graph = example
    for contract in graph.of_kind("DataContract"):
        result = validate_file(contract, root / contract.spec["source"]["path"])
        assert result.success, result.failures
        assert result.row_count > 400
        assert len(result.checks) > 40


def test_corrupted_data_fails_with_each_problem_named_by_column(example: tuple[Path, Graph]) -> None:
    root, graph = example
    frame = pd.read_csv(root / "data" / "diabetes.csv")
    frame.loc[3, "progression"] = -12.0  # min: 0
    frame.loc[5, "bmi"] = None  # required
    frame.loc[7, "site"] = "moon-base"  # allowed
    result = validate_data(graph.resources["datacontract.diabetes-cohort"], frame)
    assert not result.success
    assert failing(result) == {
        ("progression", "progression is at least 0"): (1, [-12.0]),
        ("bmi", "bmi has a value in every row"): (1, [None]),
        ("site", "site is one of north-clinic, central-hospital, south-clinic"): (1, ["moon-base"]),
    }


def test_strict_contract_names_extra_and_missing_columns(example: tuple[Path, Graph]) -> None:
    root, graph = example
    frame = pd.read_csv(root / "data" / "breast_cancer.csv")
    frame = frame.drop(columns=["mean_area"]).assign(notes="x")
    frame.loc[0, "patient_id"] = "XX-1"
    result = validate_data(graph.resources["datacontract.breast-cancer-biopsies"], frame)
    found = failing(result)
    assert found[("mean_area", "mean_area is present in the data")] == (0, [])
    assert found[(None, "the data has exactly the contract's columns")] == (2, ["mean_area", "notes"])
    assert found[("patient_id", "patient_id matches ^BC-[0-9]{6}$")] == (1, ["XX-1"])
    assert not any(c.column == "mean_area" and "present" not in c.rule for c in result.checks)


def test_types_hold_on_pandas_frames_including_nulls() -> None:
    contract = contract_from(TYPED, "typed")
    good = pd.DataFrame({
        "n": [1.0, None, 3.0],  # pandas reads an integer column with a gap as float64
        "x": [1, 2, 3],
        "s": pd.Series(["ab", None, "abcd"]),
        "b": pd.Series([True, None, False], dtype=object),
        "d": ["2024-01-01", None, "2024-02-29"],
        "t": pd.to_datetime(["2024-01-01 10:00", None, "2024-01-02 00:00"]),
    })
    result = validate_data(contract, good)
    assert result.success, result.failures
    bad = good.assign(
        n=[1.5, None, 3.0],
        x=["1", "two", "3"],
        s=["ab", "Abc", "abcdef"],
        b=["yes", None, True],
        d=["2024-01-01", "01/02/2024", None],
    )
    found = failing(validate_data(contract, bad))
    assert found[("n", "n holds whole numbers (integer)")] == (1, [1.5])
    assert found[("x", "x holds numbers (float)")] == (1, ["two"])
    assert found[("s", "s matches ^[a-z]+$")] == (1, ["Abc"])
    assert found[("s", "s is at most 4 characters long")] == (1, ["abcdef"])
    assert found[("b", "b holds true/false values (boolean)")] == (1, ["yes"])
    assert found[("d", "d holds dates written YYYY-MM-DD")] == (1, ["01/02/2024"])
    assert not any(column == "t" for column, _ in found)


def test_value_checks_on_a_mistyped_column_say_why_they_did_not_run() -> None:
    contract = contract_from(TYPED, "typed")
    frame = pd.DataFrame({"n": ["1", "x"], "x": [1.0, 2.0], "s": ["ab", "cd"], "b": [True, False],
                          "d": ["2024-01-01", "2024-01-02"], "t": ["2024-01-01", "2024-01-02"]})
    found = failing(validate_data(contract, frame))
    assert found == {
        ("n", "n holds whole numbers (integer)"): (1, ["x"]),
        ("n", "n is at least 0"): (0, ["not checked: n does not hold values of its type"]),
    }


def test_json_and_parquet_files_are_read(tmp_path: Path) -> None:
    contract = contract_from(TYPED, "typed")
    records = [{"n": 1, "x": 0.5, "s": "ab", "b": True, "d": "2024-01-01", "t": "2024-01-01T10:00:00Z"}]
    path = tmp_path / "typed.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = validate_file(contract, path)
    assert result.success, result.failures
    assert result.row_count == 1
    pytest.importorskip("pyarrow")
    parquet = tmp_path / "typed.parquet"
    pd.DataFrame(records).to_parquet(parquet)
    assert validate_file(contract, parquet).success


def test_unreadable_data_is_a_clear_error(tmp_path: Path) -> None:
    contract = contract_from(TYPED, "typed")
    with pytest.raises(DataReadError, match="does not exist"):
        validate_file(contract, tmp_path / "nope.csv")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataReadError, match="cannot parse"):
        validate_file(contract, broken)


def test_pattern_checks_are_matched_by_re2_not_handed_to_gx(monkeypatch: pytest.MonkeyPatch) -> None:
    """GX's pandas engine would run the pattern with Python's re, which backtracks: 2**n steps on
    n a's and a '!' against ^(a+)+$. RE2 takes n, so 50,000 a's are checked at once."""
    import faulthandler

    import modelspec.engine.data_validation as dv

    handed: list[str] = []
    run_suite = dv._run_suite

    def recording(name: str, expectations: list[Any], frame: Any) -> dict[Any, Any]:
        handed.extend(e.type for e in expectations)
        return run_suite(name, expectations, frame)

    monkeypatch.setattr(dv, "_run_suite", recording)
    contract = contract_from(TYPED.replace('pattern: "^[a-z]+$", ', 'pattern: "^(a+)+$", '), "typed")
    hostile = "a" * 50_000 + "!"
    frame = pd.DataFrame({"n": [1, 2], "x": [0.5, 1.5], "s": ["aa", hostile], "b": [True, False],
                          "d": ["2024-01-01", "2024-01-02"], "t": ["2024-01-01", "2024-01-02"]})
    faulthandler.dump_traceback_later(120, exit=True)  # a hang fails the run instead of blocking it
    try:
        result = validate_data(contract, frame)
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert "expect_column_values_to_match_regex" not in handed
    assert failing(result) == {
        ("s", "s matches ^(a+)+$"): (1, [hostile]),
        ("s", "s is at most 4 characters long"): (1, [hostile]),
    }


def test_pattern_checks_match_the_whole_value_without_a_final_newline() -> None:
    """Python's `$` also matched before a final newline; RE2's is the end of the text."""
    contract = contract_from(TYPED, "typed")
    frame = pd.DataFrame({"n": [1, 2, 3], "x": [0.5, 1.5, 2.0], "s": ["ab", "cd\n", None],
                          "b": [True, False, True], "d": ["2024-01-01", "2024-01-02\n", None],
                          "t": ["2024-01-01", "2024-01-02", "2024-01-03T10:00:00Z\n"]})
    found = failing(validate_data(contract, frame))
    assert found[("s", "s matches ^[a-z]+$")] == (1, ["cd\n"])
    assert found[("d", "d holds dates written YYYY-MM-DD")] == (1, ["2024-01-02\n"])
    assert found[("t", "t holds ISO 8601 date-times")] == (1, ["2024-01-03T10:00:00Z\n"])


def test_pattern_checks_on_values_of_another_type_match_their_text() -> None:
    """As GX did on pandas: each non-null value, as text (`1`, `True`), must contain a match."""
    contract = contract_from(TYPED, "typed")
    frame = pd.DataFrame({"n": [1, 2], "x": [0.5, 1.5], "s": [12, None], "b": [True, False],
                          "d": [20240101, 20240102], "t": ["2024-01-01", "2024-01-02"]})
    found = failing(validate_data(contract, frame))
    assert found[("s", "s matches ^[a-z]+$")] == (1, [12])
    assert found[("d", "d holds dates written YYYY-MM-DD")] == (2, [20240101, 20240102])
