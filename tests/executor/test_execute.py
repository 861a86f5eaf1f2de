"""apply(): files written atomically, state checkpointed per resource, stale plans refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# the small project shared with the plan tests
from plan_workspace import DIGEST, SPECS, Workspace

import modelspec.executor.execute as apply_module
import modelspec.files as files_module
from modelspec.compile.graph import Resource
from modelspec.plan.model import Plan
from modelspec.state import LockInfo, ResourceState, State, read_audit


@pytest.fixture
def ws(make_project: Callable[[dict[str, str]], Path]) -> Workspace:
    return Workspace(make_project(SPECS))


CARD = "models/churn-model/model-card.md"
CARD_JSON = "models/churn-model/model-card.json"
ISVC = "deployments/churn-prod/inferenceservice.yaml"


def test_apply_writes_files_and_records_state(ws: Workspace) -> None:
    state, diags = ws.apply()
    assert diags == []
    assert state == ws.state and state.serial == 1
    assert list(state.resources) == [
        "datacontract.churn",
        "deployment.churn-prod",
        "model.churn-model",
        "target.prod",
    ]
    model = state.resources["model.churn-model"]
    assert model.outputs == {"version": "1.0.0"}
    assert state.resources["deployment.churn-prod"].outputs == {
        "model_version": "1.0.0",
        "model_build": "1.0.0+1",  # what the engine deployed, which the manifests name
        "model_build_digest": DIGEST,
    }
    assert model.spec["spec"]["task"] == "classification" and model.spec["kind"] == "Model"
    assert model.depends_on == ("datacontract.churn",)
    _, artifacts = ws.graph()
    card = next(a for a in artifacts["model.churn-model"] if a.path == CARD)
    card_json = next(a for a in artifacts["model.churn-model"] if a.path == CARD_JSON)
    assert ws.generated(CARD).read_bytes() == card.content
    assert ws.generated(CARD_JSON).read_bytes() == card_json.content
    assert model.artifacts == {CARD_JSON: card_json.digest, CARD: card.digest}
    # checkpoints grow resource by resource (file-only changes are batched, at most
    # about once a second), all at the one new serial, the last one holding everything
    sizes = [len(s.resources) for s in ws.backend.history]
    assert sizes == sorted(set(sizes)) and sizes[-1] == 4
    assert {s.serial for s in ws.backend.history} == {1}
    assert ws.backend.history[-1] == state
    [record] = read_audit(ws.project.work_dir / "audit.jsonl")
    assert record["command"] == "apply" and record["status"] == "ok"
    assert record["summary"]["create"] == 4 and record["serial"] == 1
    assert not list(ws.project.generated_dir.rglob("*.tmp"))


def test_apply_of_an_empty_plan_writes_nothing(ws: Workspace) -> None:
    ws.apply()
    checkpoints = len(ws.backend.history)
    state, diags = ws.apply()
    assert diags == [] and state.serial == 1 and len(ws.backend.history) == checkpoints


def test_replace_and_update_bump_serial_once(ws: Workspace) -> None:
    ws.apply()
    ws.edit("model.yaml", "max_depth: 8", "max_depth: 12")
    ws.edit("model.yaml", "version: 1.0.0", "version: 1.1.0")
    state, diags = ws.apply()
    assert diags == [] and state.serial == 2
    assert state.resources["model.churn-model"].outputs == {"version": "1.1.0"}
    assert state.resources["deployment.churn-prod"].outputs["model_build"] == "1.1.0+1"
    assert "churn-model/1.1.0+1" in ws.generated(ISVC).read_text()


def test_removed_resources_lose_their_files_and_empty_dirs(ws: Workspace) -> None:
    ws.apply()
    ws.remove("deployment.yaml")
    state, diags = ws.apply()
    assert diags == []
    assert "deployment.churn-prod" not in state.resources
    assert not ws.generated(ISVC).exists()
    assert not ws.generated("deployments").exists()
    assert ws.generated(CARD).exists()


def test_apply_restores_drifted_files(ws: Workspace) -> None:
    ws.apply()
    original = ws.generated(CARD).read_bytes()
    ws.generated(CARD).write_text("hand edit\n")
    ws.generated(ISVC).unlink()
    _, diags = ws.apply()
    assert diags == []
    assert ws.generated(CARD).read_bytes() == original
    assert ws.generated(ISVC).exists()
    plan, _ = ws.plan()
    assert not plan.has_changes and plan.drift == ()


def test_saved_plan_is_refused_once_another_apply_ran(ws: Workspace) -> None:
    ws.apply()
    ws.edit("model.yaml", "license: MIT", "license: BSD-3-Clause")
    saved, _ = ws.plan()
    ws.apply()  # someone else applies first
    state, diags = ws.apply(saved)
    assert [d.code for d in diags] == ["MS504"]
    assert diags[0].message == "Saved plan is stale: state serial is 2, the plan was made at 1"
    assert state.serial == 2


def test_saved_plan_is_refused_when_specs_changed(ws: Workspace) -> None:
    ws.apply()
    ws.edit("model.yaml", "license: MIT", "license: BSD-3-Clause")
    saved, _ = ws.plan()
    ws.edit("model.yaml", "license: BSD-3-Clause", "license: Apache-2.0")
    state, diags = ws.apply(saved)
    messages = [d.message for d in diags]
    assert "Saved plan is stale: the spec of model.churn-model changed since the plan was made" in messages
    assert "BSD" not in ws.generated(CARD).read_text() and state.serial == 1


def test_saved_plan_from_another_lineage_is_refused(ws: Workspace) -> None:
    ws.apply()
    plan, _ = ws.plan()
    other = Plan(
        lineage="other", serial=plan.serial, changes=plan.changes, resources=plan.resources
    )
    _, diags = ws.apply(other)
    assert "lineage other" in diags[0].message


def test_failure_midway_leaves_state_true_to_what_was_done(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = apply_module.write_atomic

    def failing(target: Path, content: bytes) -> None:
        if target.name == "inferenceservice.yaml":
            raise OSError("disk full")
        real(target, content)

    monkeypatch.setattr(apply_module, "write_atomic", failing)
    state, diags = ws.apply()
    assert [d.code for d in diags] == ["MS505"]
    assert "apply stopped at deployment.churn-prod: disk full" in diags[0].message
    assert list(ws.state.resources) == ["datacontract.churn", "model.churn-model", "target.prod"]
    assert state == ws.state and state.serial == 1
    assert ws.generated(CARD).exists() and not ws.generated(ISVC).exists()
    records = read_audit(ws.project.work_dir / "audit.jsonl")
    assert records[-1]["status"] == "failed"
    # once the cause is gone, the next apply finishes the job
    monkeypatch.setattr(apply_module, "write_atomic", real)
    plan, _ = ws.plan()
    assert [(c.address, c.action) for c in plan.actionable] == [("deployment.churn-prod", "create")]
    state, diags = ws.apply(plan)
    assert diags == [] and state.serial == 2 and len(state.resources) == 4


def test_lock_held_elsewhere_fails_at_once_naming_the_holder(ws: Workspace) -> None:
    holder = LockInfo.new("apply")
    with ws.backend.lock(holder):
        _, diags = ws.apply()
    assert [d.code for d in diags] == ["MS507"]
    assert holder.id in diags[0].message and holder.user in diags[0].message
    assert ws.backend.history == []


def test_unsafe_artifact_path_is_refused_before_anything_is_written(ws: Workspace) -> None:
    plan, _ = ws.plan()
    graph, artifacts = ws.graph()
    evil = dict(artifacts)
    evil["deployment.churn-prod"] = [*artifacts["deployment.churn-prod"], _Art("../outside.yaml")]
    _, diags = apply_module.apply(plan, graph, ws.backend, ws.project, artifacts=evil)
    assert [d.code for d in diags] == ["MS506"]
    assert not ws.project.generated_dir.exists()
    assert not (ws.root / "outside.yaml").exists() and ws.backend.history == []


def test_engine_builds_created_models_and_deployments(ws: Workspace) -> None:
    built: list[str] = []

    class Recorder:
        def build(
            self, resource: Resource, previous: ResourceState | None, state: State
        ) -> dict[str, Any]:
            built.append(resource.address)
            return {"build": 1}

    plan, _ = ws.plan()
    graph, artifacts = ws.graph()
    state, diags = apply_module.apply(
        plan, graph, ws.backend, ws.project, artifacts=artifacts, engine=Recorder()
    )
    assert diags == [] and built == ["model.churn-model", "deployment.churn-prod"]
    assert state.resources["model.churn-model"].outputs == {"build": 1, "version": "1.0.0"}
    assert state.resources["deployment.churn-prod"].outputs == {
        "build": 1,
        "model_version": "1.0.0",
    }
    # a change that built something is checkpointed at once
    sizes = [len(s.resources) for s in ws.backend.history]
    assert 2 in sizes and sizes[-1] == 4


def test_write_atomic_creates_parents_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "f.yaml"
    files_module.write_atomic(target, b"one")
    files_module.write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.yaml"]


class _Art:
    def __init__(self, path: str) -> None:
        self.path, self.content, self.digest = path, b"x", "sha256:x"


def test_write_atomic_leaves_files_readable_as_the_umask_allows(tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        target = tmp_path / "out" / "card.md"
        files_module.write_atomic(target, b"hello")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["card.md"]


def test_a_symlinked_directory_in_generated_is_refused_before_any_effect(
    ws: Workspace, tmp_path: Path
) -> None:
    ws.apply()  # deployed: the plan knows the deployment's files (their names need a build)
    checkpoints, audit = len(ws.backend.history), read_audit(ws.project.work_dir / "audit.jsonl")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not modelspec's")
    shutil.rmtree(ws.project.generated_dir / "deployments")
    (ws.project.generated_dir / "deployments").symlink_to(outside, target_is_directory=True)
    card = ws.generated(CARD).read_bytes()
    ws.edit("model.yaml", "intended_use: Rank accounts", "intended_use: Rank all accounts")
    ws.edit("deployment.yaml", "max: 2", "max: 3")
    state, diags = ws.apply()
    assert [d.code for d in diags] == ["MS506", "MS506"]  # the InferenceService and PodMonitor
    assert diags[0].message.startswith(f"deployment.churn-prod: refusing to write {ISVC} in ")
    assert diags[0].message.endswith(
        f"its directory resolves to {outside / 'churn-prod'}, outside "
        f"{ws.project.generated_dir.resolve()}; remove the symlink that leads out of it"
    )
    # nothing partial: not even the files that stay inside were written
    assert ws.generated(CARD).read_bytes() == card
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert len(ws.backend.history) == checkpoints and state.serial == 1
    assert read_audit(ws.project.work_dir / "audit.jsonl") == audit


def test_a_symlinked_directory_is_refused_for_deletes_too(ws: Workspace, tmp_path: Path) -> None:
    ws.apply()
    outside = tmp_path / "outside"
    (outside / "churn-prod").mkdir(parents=True)
    (outside / "churn-prod" / "inferenceservice.yaml").write_text("someone else's file")
    (outside / "churn-prod" / "podmonitor.yaml").write_text("someone else's file")
    deployments = ws.project.generated_dir / "deployments"
    for path in sorted(deployments.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    deployments.rmdir()
    deployments.symlink_to(outside, target_is_directory=True)
    ws.remove("deployment.yaml")
    _, diags = ws.apply()
    assert [d.code for d in diags] == ["MS506", "MS506"]  # the InferenceService and PodMonitor
    assert f"refusing to delete {ISVC}" in diags[0].message
    assert (outside / "churn-prod" / "inferenceservice.yaml").read_text() == "someone else's file"
    assert "deployment.churn-prod" in ws.state.resources


def test_a_write_is_checked_again_when_it_happens(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A symlink that appears after the up-front check (mid-apply) still stops the write."""
    outside = tmp_path / "outside"
    outside.mkdir()
    real = apply_module.check_paths

    def check_then_swap(*args: Any) -> list[Any]:
        found = real(*args)
        ws.project.generated_dir.mkdir(parents=True, exist_ok=True)
        (ws.project.generated_dir / "deployments").symlink_to(outside)
        return found

    monkeypatch.setattr(apply_module, "check_paths", check_then_swap)
    state, diags = ws.apply()
    assert [d.code for d in diags] == ["MS505"]
    assert "apply stopped at deployment.churn-prod: refusing to write" in diags[0].message
    assert list(outside.iterdir()) == []
    assert "deployment.churn-prod" not in state.resources


def test_the_audit_record_is_written_before_the_first_effect(ws: Workspace) -> None:
    """The `started` record is on disk when the engine builds; its outcome follows at the end."""
    from modelspec.state.audit import read_audit_records

    log = ws.project.work_dir / "audit.jsonl"
    seen: list[list[dict[str, Any]]] = []

    class Recorder:
        def build(
            self, resource: Resource, previous: ResourceState | None, state: State
        ) -> dict[str, Any]:
            seen.append(read_audit_records(log))
            return {}

    plan, _ = ws.plan()
    graph, artifacts = ws.graph()
    lock = ws.backend.lock(LockInfo.new("apply"))
    with lock:
        state, diags = apply_module.execute(
            plan,
            graph,
            ws.state,
            ws.backend,
            ws.project,
            artifacts=artifacts,
            engine=Recorder(),
            lock_id=lock.id,
        )
    assert diags == []
    [started] = seen[0]
    assert started["status"] == "started" and started["lock_id"] == lock.id
    assert started["from_serial"] == 0 and started["summary"]["create"] == 4
    assert started["changes"] == [
        {"address": c.address, "actions": list(c.actions)} for c in plan.actionable
    ]
    raw = read_audit_records(log)
    assert [r["status"] for r in raw] == ["started", "ok"] and raw[1]["id"] == started["id"]
    [entry] = read_audit(log)
    assert entry["status"] == "ok" and entry["serial"] == state.serial == 1
    assert entry["lock_id"] == lock.id and entry["errors"] == []


def test_an_audit_log_that_cannot_be_written_stops_apply_before_any_effect(
    ws: Workspace,
) -> None:
    ws.project.work_dir.mkdir(parents=True)
    (ws.project.work_dir / "audit.jsonl").mkdir()  # a directory where the log should be
    state, diags = ws.apply()
    assert [d.code for d in diags] == ["MS505"]
    assert diags[0].message.startswith(
        f"apply did not start: cannot append to the audit log {ws.project.work_dir / 'audit.jsonl'}: "
    )
    assert diags[0].hint == "nothing was changed"
    assert not ws.project.generated_dir.exists() and ws.backend.history == []
    assert state.serial == 0


def test_plan_never_reads_generated_files_through_links_out_or_specials(tmp_path: Path) -> None:
    import os

    root = tmp_path / "generated"
    (root / "inside").mkdir(parents=True)
    (root / "inside" / "ok.yaml").write_bytes(b"ok")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_bytes(b"secret")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "inside" / "file-link.yaml").symlink_to(outside / "secret.yaml")
    os.mkfifo(root / "inside" / "fifo.yaml")
    (root / "inside" / "zero.yaml").symlink_to("/dev/zero")
    digests = files_module.disk_digests(
        root,
        [
            "inside/ok.yaml",
            "linked/secret.yaml",
            "inside/file-link.yaml",
            "inside/fifo.yaml",
            "inside/zero.yaml",
            "inside/../../outside/secret.yaml",
            "absent/dir/file.yaml",
        ],
    )
    assert digests.pop("inside/ok.yaml", "").startswith("sha256:")
    assert set(digests.values()) == {None}
    contained = files_module.Contained(root)
    assert contained.directory(root / "inside") and not contained.directory(root / "linked")
    assert not contained.directory(root / "inside" / ".." / "..")
    assert contained.directory(root / "absent" / "dir")
