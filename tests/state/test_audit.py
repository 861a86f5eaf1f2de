"""The audit log: one parseable JSON line per record."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from modelspec.state import StateError, append_audit, audit_record, read_audit


def test_each_record_is_one_sorted_json_line(tmp_path: Path) -> None:
    log = tmp_path / ".modelspec" / "audit.jsonl"
    append_audit(log, {"z": 1, "a": "multi\nline"})
    append_audit(log, {"command": "apply", "summary": {"create": 2}})
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert lines[0] == '{"a": "multi\\nline", "prev_sha256": null, "z": 1}'
    digest = hashlib.sha256(lines[0].encode()).hexdigest()
    assert json.loads(lines[1])["prev_sha256"] == f"sha256:{digest}"
    assert [
        {k: v for k, v in json.loads(line).items() if k != "prev_sha256"} for line in lines
    ] == read_audit(log)


def test_read_audit_of_a_missing_log_is_empty(tmp_path: Path) -> None:
    assert read_audit(tmp_path / "audit.jsonl") == []


def test_read_audit_names_a_corrupt_line(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_text('{"ok": 1}\n{"broken": \n', encoding="utf-8")
    with pytest.raises(StateError, match=r"audit.jsonl:2 is not valid JSON"):
        read_audit(log)


def test_audit_record_outside_git_has_no_commit(tmp_path: Path) -> None:
    record = audit_record("apply", {"create": 1}, extra={"waivers": ["w"]}, root=tmp_path)
    assert record["command"] == "apply"
    assert record["summary"] == {"create": 1}
    assert record["waivers"] == ["w"]
    assert record["git_commit"] is None
    assert record["time"].endswith("Z") and record["user"] and record["host"]


def test_audit_record_reads_the_git_commit(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    try:
        git("init", "-q")
        (tmp_path / "f").write_text("x", encoding="utf-8")
        git("add", "f")
        git("commit", "-q", "-m", "one")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not usable here")
    assert audit_record("plan", {}, root=tmp_path)["git_commit"] == git("rev-parse", "HEAD")


def test_extra_cannot_overwrite_standard_fields(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'user'"):
        audit_record("apply", {}, extra={"user": "someone else"}, root=tmp_path)


def test_started_and_completed_records_are_one_entry(tmp_path: Path) -> None:
    from modelspec.state.audit import read_audit_records, start_audit

    log = tmp_path / "audit.jsonl"
    append_audit(log, {"command": "apply", "status": "ok", "time": "t0"})  # an older, single record
    first = start_audit(log, audit_record("apply", {"create": 1}, root=tmp_path))
    second = start_audit(log, audit_record("apply", {"update": 2}, root=tmp_path))
    first.finish("ok", {"serial": 1, "errors": []})
    raw = read_audit_records(log)
    assert [r["status"] for r in raw] == ["ok", "started", "started", "ok"]
    assert raw[1]["id"] == raw[3]["id"] == first.id != second.id
    entries = read_audit(log)
    assert [e["status"] for e in entries] == ["ok", "ok", "interrupted"]
    assert entries[1]["summary"] == {"create": 1} and entries[1]["serial"] == 1
    assert entries[1]["started_at"] == raw[1]["time"] and entries[1]["id"] == first.id
    assert entries[2]["summary"] == {"update": 2} and "serial" not in entries[2]
    second.finish("failed", {"errors": ["apply stopped at model.m: boom"]})
    assert [e["status"] for e in read_audit(log)] == ["ok", "ok", "failed"]
    assert read_audit(log)[2]["errors"] == ["apply stopped at model.m: boom"]


def test_a_record_that_completes_nothing_is_kept_as_it_is(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_audit(log, {"command": "apply", "id": "orphan", "status": "ok"})
    assert read_audit(log) == [{"command": "apply", "id": "orphan", "status": "ok"}]


def test_non_finite_numbers_are_written_as_null(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_audit(log, {"metric": float("nan"), "limit": float("inf")})
    assert read_audit(log) == [{"limit": None, "metric": None}]


def test_a_fifo_in_the_logs_place_is_refused_without_waiting(tmp_path: Path) -> None:
    import os

    log = tmp_path / "audit.jsonl"
    os.mkfifo(log)
    with pytest.raises(StateError, match="cannot append to the audit log"):
        append_audit(log, {"command": "apply"})
