"""Tests for files.read_regular: only regular files, never blocking, never past the limit."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from modelspec.files import FileTooLarge, NotRegularFile, read_regular


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"a: 1\n" * 1000)
    assert read_regular(path, limit=5000) == b"a: 1\n" * 1000


def test_a_fifo_is_refused_at_once_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    done = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            read_regular(fifo, limit=100)
        except BaseException as exc:
            errors.append(exc)
        done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(10), "reading a FIFO blocked"
    assert isinstance(errors[0], NotRegularFile)
    assert str(errors[0]) == "not a regular file (it is a named pipe)"


@pytest.mark.parametrize(("device", "kind"), [("/dev/zero", "a character device"), ("/", "a directory")])
def test_devices_and_directories_are_refused_before_a_byte_is_read(
    tmp_path: Path, device: str, kind: str
) -> None:
    link = tmp_path / "spec.yaml"
    link.symlink_to(device)
    started = time.monotonic()
    with pytest.raises(NotRegularFile, match=f"it is {kind}"):
        read_regular(link, limit=1 << 20)
    assert time.monotonic() - started < 5


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 101)
    with pytest.raises(FileTooLarge, match="file is 101 bytes, over the 100-byte limit"):
        read_regular(path, limit=100)
    assert read_regular(path, limit=101) == b"x" * 101
