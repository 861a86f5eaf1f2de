"""Tables modelspec reads are bounded: bytes, columns, and only regular files."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelspec.learn.tabular import MAX_COLUMNS, DataReadError, read_table


def test_a_table_wider_than_the_limit_is_refused(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
    wide.write_text(header + "\n" + ",".join("1" for _ in range(MAX_COLUMNS + 1)) + "\n")
    with pytest.raises(DataReadError, match=f"has {MAX_COLUMNS + 1:,} columns; modelspec reads"):
        read_table(wide, "csv")
    ok = tmp_path / "ok.csv"
    ok.write_text(",".join(f"c{i}" for i in range(MAX_COLUMNS)) + "\n" + ",".join("1" for _ in range(MAX_COLUMNS)) + "\n")
    assert read_table(ok, "csv").shape == (1, MAX_COLUMNS)


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataReadError, match="not a regular file"):
        read_table(fifo, "csv")
