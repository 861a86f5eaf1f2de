"""Runs a DataContract's Great Expectations suite on a table and reports each check in plain words.

Great Expectations is imported here only, when a validation runs. It runs in
an ephemeral context (nothing written to the project or HOME, no cloud
lookup), with analytics and progress bars off.

The suite is the one `apply` exports (generate/expectations.py), which GX
also passes run directly on pandas 2 or 3. Before the run, columns are
brought losslessly to the dtypes the suite's type checks name (see
`conform`): integer columns that pandas read as float because of a missing
value become `Int64`, object columns of true/false become `boolean`, and
datetime64 columns of date or datetime contract columns become ISO 8601
text. Text columns stay as read (pandas 3 `str`, `string` or pandas 2
object). Nothing else is converted: a value that does not fit its type still
fails.

Pattern checks (`expect_column_values_to_match_regex`: a column's `pattern`
and the date/datetime forms) are not given to GX, which would match them with
Python's backtracking re: they are matched here with RE2 (modelspec.regex), in
time linear in each value, with GX's outcome on pandas (each non-null value,
as text, contains a match).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from modelspec import regex
from modelspec.compile.graph import Resource
from modelspec.compile.views import ContractView
from modelspec.generate.expectations import MATCH_REGEX, TYPE_CHECKS, Expectation, expectations_of
from modelspec.learn.tabular import DataReadError, format_of, read_table

__all__ = [
    "Check",
    "DataReadError",
    "DataValidationResult",
    "conform",
    "not_checked_note",
    "validate_data",
    "validate_file",
]

SAMPLE_SIZE = 5
NOT_CHECKED = "not checked: "  # starts the one sample entry of a check that could not run


@dataclass(frozen=True)
class Check:
    """One expectation's outcome; rule says it in plain words ("tenure_months is at least 0")."""

    column: str | None  # None for checks on the whole table
    rule: str
    expectation: str  # GX type, e.g. "expect_column_values_to_be_between"
    success: bool
    unexpected_count: int
    unexpected_sample: list[Any]


@dataclass(frozen=True)
class DataValidationResult:
    success: bool
    checks: list[Check]
    row_count: int

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.success]


def validate_file(contract: Resource, path: Path, fmt: str | None = None) -> DataValidationResult:
    """Read path (format from fmt, else the file suffix, else the contract's source) and validate it.

    A missing, unreadable or malformed file raises DataReadError with a message for people.
    """
    chosen = fmt or format_of(path) or ContractView(contract).source_format
    return validate_data(contract, read_table(path, chosen))


def validate_data(contract: Resource, data: Any) -> DataValidationResult:
    """Run every expectation of the contract on a pandas DataFrame.

    Checks come back in the contract's order. A column the data lacks fails
    its "is present" check and its other checks are not run.
    """
    expectations = expectations_of(contract)
    present = {str(c) for c in data.columns}
    runnable = [e for e in expectations if _runnable(e, present)]
    view = ContractView(contract)
    frame = conform(data, view.columns)
    types = view.column_types
    results = _run_suite(contract.name, [e for e in runnable if e.type != MATCH_REGEX], frame)
    checks = [
        _pattern_check(e, frame) if e.type == MATCH_REGEX
        else _check(e, results.get(_key(e.type, e.column, e.constraint)), frame, types)
        for e in runnable
    ]
    return DataValidationResult(all(c.success for c in checks), _explain(checks), len(frame))


def _explain(checks: list[Check]) -> list[Check]:
    """A value check GX could not run because the column has the wrong type says so plainly."""
    mistyped = {
        c.column for c in checks
        if not c.success and c.expectation in TYPE_CHECKS
    }
    out = []
    for c in checks:
        if c.column in mistyped and not_checked_note(c) is not None:
            c = replace(c, unexpected_sample=[f"{NOT_CHECKED}{c.column} does not hold values of its type"])
        out.append(c)
    return out


def not_checked_note(check: Check) -> str | None:
    """The note of a check that could not run ("not checked: ..."), else None."""
    sample = check.unexpected_sample
    if len(sample) == 1 and isinstance(sample[0], str) and sample[0].startswith(NOT_CHECKED):
        return sample[0]
    return None


def _runnable(expectation: Expectation, present: set[str]) -> bool:
    return (
        expectation.column is None
        or expectation.constraint == "exists"
        or expectation.column in present
    )


def _key(kind: str, column: str | None, constraint: str) -> tuple[str, str | None, str]:
    return (kind, column, constraint)


def conform(frame: Any, columns: Sequence[Mapping[str, Any]]) -> Any:
    """A shallow copy of frame with columns brought losslessly to the dtypes the suite checks."""
    import pandas as pd

    out = frame.copy(deep=False)
    for column in columns:
        name, ctype = column["name"], column["type"]
        if name not in out.columns:
            continue
        series = out[name]
        if ctype == "integer" and series.dtype.kind == "f":
            out[name] = _as_nullable_int(series)
        elif ctype == "boolean" and series.dtype == object:
            values = series.dropna()
            if all(isinstance(v, bool) for v in values):
                out[name] = series.astype("boolean")
        elif ctype in ("date", "datetime") and pd.api.types.is_datetime64_any_dtype(series.dtype):
            out[name] = _iso_text(series, date_only=ctype == "date")
    return out


def _as_nullable_int(series: Any) -> Any:
    values = series.dropna()
    if not all(math.isfinite(v) and float(v).is_integer() for v in values):
        return series
    try:
        return series.astype("Int64")
    except (TypeError, ValueError, OverflowError):
        return series


def _iso_text(series: Any, *, date_only: bool) -> Any:
    import pandas as pd

    values = series.dropna()
    midnight = bool((values == values.dt.normalize()).all()) and series.dt.tz is None
    if date_only and midnight:
        text = series.dt.strftime("%Y-%m-%d")
    else:
        text = series.map(lambda v: None if pd.isna(v) else v.isoformat())
    return text.astype(pd.StringDtype())


def _run_suite(name: str, expectations: list[Expectation], frame: Any) -> dict[Any, Any]:
    """The GX results keyed by (type, column, constraint): GX does not keep the suite's order."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    batch = (
        context.data_sources.add_pandas("modelspec")
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe("whole")
    )
    suite = context.suites.add(
        gx.ExpectationSuite(name=name, expectations=[e.as_json(name) for e in expectations])
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )
    with warnings.catch_warnings():  # e.g. pandas on a pattern with groups: noise for users
        warnings.simplefilter("ignore")
        run = definition.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
    out: dict[Any, Any] = {}
    for result in run.results:
        config_ = result.expectation_config
        if config_ is None:
            continue
        meta = config_.meta or {}
        out[_key(config_.type, meta.get("column"), meta.get("constraint", ""))] = result
    return out


def _check(expectation: Expectation, result: Any, frame: Any, types: dict[str, str]) -> Check:
    def check(success: bool, count: int, sample: list[Any]) -> Check:
        return Check(
            expectation.column, expectation.rule, expectation.type, success, count,
            [_plain(v) for v in sample[:SAMPLE_SIZE]],
        )

    if result is None:  # not reported by GX: a bug, but say so rather than pass silently
        return check(False, 0, ["not evaluated"])
    details: dict[str, Any] = dict(result.result or {})
    problem = _exception_message(result.exception_info or {})
    if problem is not None:
        return check(False, 0, [f"{NOT_CHECKED}{problem}"])
    if result.success:
        return check(True, 0, [])
    if expectation.constraint == "type" and "unexpected_count" not in details:
        series = frame[expectation.column]
        return _type_misfits(series, types[str(expectation.column)], details, check)
    if expectation.constraint == "columns":
        mismatched = (details.get("details") or {}).get("mismatched") or {}
        missing = list(mismatched.get("missing") or [])
        extra = list(mismatched.get("unexpected") or []) if expectation.kwargs["exact_match"] else []
        return check(False, len(extra) + len(missing), sorted(map(str, [*missing, *extra])))
    if expectation.constraint == "row_count":
        return check(False, 0, [details.get("observed_value")])
    if expectation.constraint == "exists":
        return check(False, 0, [])
    sample = details.get("partial_unexpected_list") or []
    return check(False, int(details.get("unexpected_count") or 0), list(sample))


def _pattern_check(expectation: Expectation, frame: Any) -> Check:
    """A regex expectation matched by RE2 (never Python's re), as GX would on pandas."""
    def check(success: bool, count: int, sample: list[Any]) -> Check:
        return Check(expectation.column, expectation.rule, expectation.type, success, count, sample)

    pattern: str = expectation.kwargs["regex"]
    series = frame[expectation.column]
    try:
        misfits = [v for v in series[series.notna()] if not regex.search(pattern, str(v))]
    except regex.RegexRefused as exc:  # the spec refuses such a pattern; say so if one gets here
        return check(False, 0, [f"{NOT_CHECKED}'{pattern}' {exc}"])
    return check(not misfits, len(misfits), [_plain(v) for v in misfits[:SAMPLE_SIZE]])


def _exception_message(info: dict[str, Any]) -> str | None:
    """What GX raised for an expectation, if anything; metric errors come keyed by metric id."""
    if info.get("raised_exception"):
        lines = str(info.get("exception_message") or "error").splitlines() or ["error"]
        return lines[0][:200]
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return _exception_message(value)
    return None


def _type_misfits(
    series: Any, ctype: str, details: dict[str, Any], check: Callable[[bool, int, list[Any]], Check]
) -> Check:
    """For a dtype-level failure: which values do not fit the column's type."""
    import pandas as pd

    present = series.notna()
    if ctype in ("integer", "float"):
        numbers = pd.to_numeric(series, errors="coerce")
        misfit = present & numbers.isna()
        if ctype == "integer":
            misfit |= present & numbers.notna() & (numbers != numbers.round())
    elif ctype == "boolean":
        misfit = present & ~series.map(lambda v: isinstance(v, bool))
    else:
        misfit = present & ~series.map(lambda v: isinstance(v, str))
    bad = series[misfit]
    if bad.empty:  # every value fits but the column's dtype does not (e.g. 1.0 in an integer column)
        return check(False, int(present.sum()), [f"dtype {details.get('observed_value', series.dtype)}"])
    return check(False, len(bad), list(bad.head(SAMPLE_SIZE)))


def _plain(value: Any) -> Any:
    """A sample value as plain JSON data: numpy scalars unwrapped, NaN and NA as None."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (TypeError, ValueError):
            value = str(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, (list, dict)):
        return value
    return str(value)
