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
from pathlib import Path
from typing import Any

from modelspec.files import ReadRefused, read_regular

__all__ = [
    "FORMATS",
    "MAX_DATA_BYTES",
    "DataReadError",
    "format_of",
    "parse_table",
    "read_data",
    "read_table",
]

MAX_DATA_BYTES = 1 << 30  # 1 GiB: the local engine holds a table in memory several times over

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
            return pd.read_csv(source)
        if fmt == "parquet":
            return pd.read_parquet(source)
        lines = path.suffix.lower() in (".jsonl", ".ndjson")
        return pd.read_json(source, orient="records", lines=lines)
    except ImportError as exc:  # parquet needs pyarrow or fastparquet
        raise DataReadError(f"cannot read {path} as {fmt}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DataReadError(f"cannot read {path}: not UTF-8 text ({exc.reason})") from None
    except Exception as exc:  # pandas' parsers raise many types for a malformed file
        raise DataReadError(f"cannot parse {path} as {fmt}: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
