"""The exported GX suite, run by Great Expectations itself on pandas 3: clean data passes, corrupted fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from modelspec.compile import load_graph
from modelspec.compile.graph import Graph
from modelspec.engine.data_validation import validate_data
from modelspec.generate.expectations import render_expectations
from modelspec.project import load_project

pd = pytest.importorskip("pandas")
pytestmark = pytest.mark.slow  # imports Great Expectations (a few seconds, once per process)

CONTRACTS = {"breast-cancer-biopsies": "breast_cancer.csv", "diabetes-cohort": "diabetes.csv"}
Failed = set[tuple[str, str | None]]  # (expectation type, column)


@pytest.fixture(autouse=True)
def fast_validation() -> list[str]:
    """Overrides the stand-in of tests/support/engine_fixtures.py: this module runs the real GX."""
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


def exported_suite(graph: Graph, name: str) -> dict[str, Any]:
    """contracts/<name>/expectations.json exactly as apply writes it."""
    artifact = render_expectations(graph.resources[f"datacontract.{name}"])[0]
    assert artifact.path == f"contracts/{name}/expectations.json"
    suite: dict[str, Any] = json.loads(artifact.content)
    return suite


def run_with_gx(suite_json: dict[str, Any], frame: Any) -> tuple[bool, Failed]:
    """GX's own run of the suite JSON (as a user would: no modelspec code), on one DataFrame."""
    import great_expectations as gx

    assert int(pd.__version__.split(".")[0]) == 3, "these runs are about pandas 3's dtypes"
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("data")
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("whole")
    )
    suite = context.suites.add(gx.ExpectationSuite(**suite_json))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="run", data=batch, suite=suite)
    )
    run = definition.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
    assert len(run.results) == len(suite_json["expectations"])
    failed = {
        (r.expectation_config.type, r.expectation_config.kwargs.get("column"))
        for r in run.results
        if not r.success and r.expectation_config is not None
    }
    return bool(run.success), failed


def as_pandas_2(frame: Any) -> Any:
    """The frame pandas 2's read_csv gives: text columns of dtype object."""
    text = [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)]
    assert text, "pandas 3 reads the example's text columns as str"
    return frame.astype({c: object for c in text})


READERS: dict[str, Callable[[Path], Any]] = {
    "pandas 3 defaults (str)": lambda path: pd.read_csv(path),
    "nullable dtypes (string, Int64, boolean)": lambda path: pd.read_csv(
        path, dtype_backend="numpy_nullable"
    ),
    "text as object, as pandas 2 reads it": lambda path: as_pandas_2(pd.read_csv(path)),
}


def test_this_runs_on_pandas_3() -> None:
    assert int(pd.__version__.split(".")[0]) == 3
    assert str(pd.read_csv(Path(__file__).parents[2] / "data" / "diabetes.csv")["site"].dtype) == "str"


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("name", list(CONTRACTS))
def test_the_example_data_passes_its_exported_suite(
    example: tuple[Path, Graph], name: str, reader: str
) -> None:
    root, graph = example
    frame = READERS[reader](root / "data" / CONTRACTS[name])
    success, failed = run_with_gx(exported_suite(graph, name), frame)
    assert failed == set() and success


def test_corrupted_data_fails_the_right_expectations(example: tuple[Path, Graph]) -> None:
    root, graph = example
    frame = pd.read_csv(root / "data" / "breast_cancer.csv")
    frame["mean_texture"] = frame["mean_texture"].astype(object)
    frame.loc[4, "mean_texture"] = "twelve"  # a string in a float column
    frame.loc[2, "patient_id"] = None  # required
    frame.loc[6, "mean_area"] = 9000.0  # max: 2600
    frame.loc[8, "mean_symmetry"] = 0.01  # min: 0.1
    success, failed = run_with_gx(exported_suite(graph, "breast-cancer-biopsies"), frame)
    assert not success
    assert {
        ("expect_column_values_to_be_in_type_list", "mean_texture"),
        ("expect_column_values_to_not_be_null", "patient_id"),
        ("expect_column_values_to_be_between", "mean_area"),
        ("expect_column_values_to_be_between", "mean_symmetry"),
    } <= failed
    # Nothing else: the other columns still pass (mean_texture's range check cannot compare text).
    assert {column for _, column in failed} == {"mean_texture", "patient_id", "mean_area", "mean_symmetry"}
    assert ("expect_column_values_to_be_in_type_list", "mean_area") not in failed


def test_a_text_column_of_numbers_fails_its_type_check(example: tuple[Path, Graph]) -> None:
    root, graph = example
    frame = pd.read_csv(root / "data" / "diabetes.csv")
    numbers = frame.assign(site=range(len(frame)))  # int64, not text
    mixed = frame.assign(site=frame["site"].astype(object))
    mixed.loc[3, "site"] = 7  # one number among the text, as pandas 2 would hold it
    for broken in (numbers, mixed):
        success, failed = run_with_gx(exported_suite(graph, "diabetes-cohort"), broken)
        assert not success
        assert ("expect_column_values_to_be_of_type", "site") in failed
        assert {column for _, column in failed} == {"site"}


def test_data_validate_agrees_with_gx_on_the_exported_suite(example: tuple[Path, Graph]) -> None:
    root, graph = example
    frame = pd.read_csv(root / "data" / "diabetes.csv")
    frame.loc[1, "bmi"] = None  # required
    frame.loc[3, "progression"] = 900.0  # max: 400
    frame.loc[5, "site"] = "moon-base"  # allowed
    _, by_gx = run_with_gx(exported_suite(graph, "diabetes-cohort"), frame)
    result = validate_data(graph.resources["datacontract.diabetes-cohort"], frame)
    assert {(c.expectation, c.column) for c in result.failures} == by_gx == {
        ("expect_column_values_to_not_be_null", "bmi"),
        ("expect_column_values_to_be_between", "progression"),
        ("expect_column_values_to_be_in_set", "site"),
    }
    for name, file in CONTRACTS.items():
        clean = validate_data(graph.resources[f"datacontract.{name}"], pd.read_csv(root / "data" / file))
        assert clean.success
