"""`kill -9` in the middle of a real `modelspec apply`: the audit log still shows that it ran.

The apply is a real process on the example project (it trains two models). The
test polls the state file and sends SIGKILL as soon as the first checkpoint
(serial 1) is there: a model is trained, registered and recorded, the apply is
not finished. No hook inside modelspec is needed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modelspec.state import LocalFileBackend, read_audit
from modelspec.state.audit import read_audit_records

pytestmark = pytest.mark.slow


def modelspec(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modelspec", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def first_checkpoint(
    path: Path, child: subprocess.Popen[bytes], timeout: float
) -> dict[str, object]:
    """The state file's content once it holds serial 1 (the first checkpoint of the first apply)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, "apply finished before its first checkpoint was seen"
        try:
            data: dict[str, object] = json.loads(path.read_bytes())
        except (FileNotFoundError, ValueError):
            data = {}
        if data.get("serial") == 1:
            return data
        time.sleep(0.005)
    raise AssertionError("no checkpoint within the timeout")


def test_an_apply_killed_after_its_first_checkpoint_is_an_interrupted_entry(tmp_path: Path) -> None:
    from modelspec.examples.scaffold import init_project

    root = tmp_path / "example"
    init_project(root)
    work = root / ".modelspec"
    child = subprocess.Popen(
        [sys.executable, "-m", "modelspec", "apply", "--auto-approve"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        checkpoint = first_checkpoint(work / "state.json", child, timeout=300)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    # the checkpoint records a trained, registered build: an effect the log must account for
    resources = checkpoint["resources"]
    assert isinstance(resources, dict)
    built = [
        a for a, rs in resources.items() if a.startswith("model.") and rs["outputs"].get("build")
    ]
    assert built, "the first checkpoint holds no trained model"
    lock = LocalFileBackend(work / "state.json").current_lock()
    assert lock is not None and lock.pid == child.pid  # the killed apply's lock, left behind

    [started] = read_audit_records(work / "audit.jsonl")
    assert started["status"] == "started" and started["lock_id"] == lock.id
    assert {c["address"] for c in started["changes"]} >= set(built)
    [entry] = read_audit(work / "audit.jsonl")
    assert entry["status"] == "interrupted" and entry["id"] == started["id"]
    assert entry["summary"]["create"] == len(started["changes"])

    # the next apply names the stale lock; once it is removed, apply finishes the job
    refused = modelspec(root, "apply", "--auto-approve")
    assert refused.returncode == 1
    assert f"stale: process {child.pid} on this host is gone" in refused.stderr
    assert modelspec(root, "force-unlock", lock.id, "--yes").returncode == 0
    done = modelspec(root, "apply", "--auto-approve")
    assert done.returncode == 0, done.stderr
    entries = read_audit(work / "audit.jsonl")
    assert [e["status"] for e in entries] == ["interrupted", "ok"]
    assert entries[1]["from_serial"] == 1 and entries[1]["serial"] == 2
