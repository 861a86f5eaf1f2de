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

from pathlib import Path
from typing import Any

__all__ = ["FORMATS", "DataReadError", "format_of", "read_table"]

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
    import pandas as pd

    if fmt not in FORMATS:
        raise DataReadError(f"unknown data format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise DataReadError(f"data file {path} {what}")
    try:
        if fmt == "csv":
            return pd.read_csv(path)
        if fmt == "parquet":
            return pd.read_parquet(path)
        lines = path.suffix.lower() in (".jsonl", ".ndjson")
        return pd.read_json(path, orient="records", lines=lines)
    except ImportError as exc:  # parquet needs pyarrow or fastparquet
        raise DataReadError(f"cannot read {path} as {fmt}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataReadError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except Exception as exc:  # pandas' parsers raise many types for a malformed file
        raise DataReadError(f"cannot parse {path} as {fmt}: {exc}") from None
