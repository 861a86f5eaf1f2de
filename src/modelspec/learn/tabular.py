"""Reading a data contract's table (csv, parquet or json) into a pandas DataFrame.

Dtypes are pandas' own defaults, with no per-column hints: numbers become
int64 or float64 (an integer column with a missing value becomes float64),
`true`/`false` columns bool, text the pandas 3 `str` dtype (missing values
are NaN), and dates stay text. Checks that care about types (data
validation) bring columns to the contract's types themselves; training
wants plain numpy dtypes. JSON is read as records: an array of objects, or
one object per line when the file ends in `.jsonl` / `.ndjson`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from modelspec.files import ReadRefused, read_regular

__all__ = [
    "FORMATS",
    "MAX_COLUMNS",
    "MAX_DATA_BYTES",
    "DataReadError",
    "check_table",
    "format_of",
    "parse_table",
    "read_data",
    "read_table",
]

MAX_DATA_BYTES = 1 << 30  # 1 GiB: the local engine holds a table in memory several times over
# Great Expectations takes about 4 ms per column per expectation: 5,000 columns ran over 20 s
MAX_COLUMNS = 1_000

FORMATS = ("csv", "parquet", "json")
_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".json": "json",
             ".jsonl": "json", ".ndjson": "json"}


class DataReadError(ValueError):
    """A data file that is missing, unreadable or not in the format it claims; the message says which."""


def format_of(path: Path) -> str | None:
    """The format a file name suggests ("csv", "parquet", "json"), or None."""
    return _SUFFIXES.get(path.suffix.lower())


def read_table(path: Path, fmt: str) -> Any:
    """The table in path as a pandas DataFrame; DataReadError says plainly what went wrong."""
    return parse_table(read_data(path), fmt, path)


def read_data(path: Path) -> bytes:
    """The bytes of a data file: a regular file (not a FIFO or a device) of at most 1 GiB."""
    if path.is_dir():
        raise DataReadError(f"data file {path} is a directory, not a file")
    try:
        return read_regular(path, limit=MAX_DATA_BYTES)
    except FileNotFoundError:
        raise DataReadError(f"data file {path} does not exist") from None
    except ReadRefused as exc:
        raise DataReadError(f"cannot read data file {path}: {exc}") from None
    except OSError as exc:
        raise DataReadError(f"cannot read {path}: {exc.strerror or exc}") from None


def parse_table(content: bytes, fmt: str, path: Path) -> Any:
    """The table in content (the bytes of path) as a pandas DataFrame."""
    import pandas as pd

    if fmt not in FORMATS:
        raise DataReadError(f"unknown data format {fmt!r}; expected one of {', '.join(FORMATS)}")
    source = io.BytesIO(content)
    try:
        if fmt == "csv":
            frame = pd.read_csv(source)
        elif fmt == "parquet":
            frame = pd.read_parquet(source)
        else:
            lines = path.suffix.lower() in (".jsonl", ".ndjson")
            frame = pd.read_json(source, orient="records", lines=lines)
    except ImportError as exc:  # parquet needs pyarrow or fastparquet
        raise DataReadError(f"cannot read {path} as {fmt}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DataReadError(f"cannot read {path}: not UTF-8 text ({exc.reason})") from None
    except Exception as exc:  # pandas' parsers raise many types for a malformed file
        raise DataReadError(f"cannot parse {path} as {fmt}: {_first_line(exc)}") from None
    if len(frame.columns) > MAX_COLUMNS:
        raise DataReadError(
            f"{path} has {len(frame.columns):,} columns; modelspec reads tables of at most "
            f"{MAX_COLUMNS:,} (a contract names each column it checks, and checks cost per column)"
        )
    return frame


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def check_table(
    frame: Any, path: Path, *, types: Mapping[str, str], complete: Sequence[str] = ()
) -> None:
    """Refuse a table a model cannot score, naming the column and the first line at fault.

    types maps columns to their contract types: integer and float columns must
    hold finite numbers, boolean columns true or false (either may be missing).
    complete columns (labels a metric is computed from) need a value on every
    row. Lines are numbered as in a CSV file, the header being line 1.
    """
    import numpy as np
    import pandas as pd

    if len(frame) == 0:
        raise DataReadError(f"{path} has no rows: give at least one row below the header")
    for column, kind in types.items():
        if column not in frame.columns or kind not in ("integer", "float", "boolean"):
            continue
        values = frame[column]
        if kind == "boolean":
            spelled = values.astype(str).str.lower().isin(["true", "false"])
            wrong = values.notna() & ~values.isin([True, False]) & ~spelled
            if wrong.any():
                raise DataReadError(_wrong(path, column, "true or false", values, wrong))
            continue
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            wrong = values.notna() & pd.to_numeric(values, errors="coerce").isna()
            raise DataReadError(_wrong(path, column, "numbers", values, wrong))
        infinite = np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
        if infinite.any():
            raise DataReadError(
                f"{path}: column {column} holds an infinite value on line "
                f"{int(np.flatnonzero(infinite)[0]) + 2}; use a finite number or leave it empty"
            )
    for column in complete:
        if column in frame.columns and frame[column].isna().any():
            row = int(np.flatnonzero(frame[column].isna().to_numpy())[0])
            raise DataReadError(
                f"{path}: column {column} has no value on line {row + 2} "
                "(a short row?); every row needs one to compute metrics"
            )


def _wrong(path: Path, column: str, wanted: str, values: Any, wrong: Any) -> str:
    import numpy as np

    rows = np.flatnonzero(wrong.to_numpy())
    row = int(rows[0]) if len(rows) else 0
    return (
        f"{path}: column {column} must hold {wanted}, but line {row + 2} has "
        f"{_shown_value(values.iloc[row])}"
    )


def _shown_value(value: Any) -> str:
    text = repr(str(value))
    return text if len(text) <= 40 else text[:37] + "...'"
