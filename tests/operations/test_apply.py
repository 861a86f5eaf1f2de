"""operations.apply: the state lock first and throughout, then plan (or a saved plan) and execute."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from plan_workspace import SPECS, write_churn_data

import modelspec.operations.validate as validate_module
from modelspec.errors import UserError
from modelspec.operations.apply import apply, make_overrides
from modelspec.operations.plan import Planned, plan, save_plan
from modelspec.project import Project, load_project
from modelspec.state import LockInfo, backend_for, read_audit

CARD = "models/churn-model/model-card.md"


@pytest.fixture
def project(make_project: Callable[[dict[str, str]], Path]) -> Project:
    root = make_project(SPECS)
    write_churn_data(root)  # the local engine trains the model from its contract's data
    loaded, diags = load_project(root)
    assert loaded is not None, diags
    return loaded


def _never_load_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        pytest.fail("the specs were loaded while another command held the state lock")

    monkeypatch.setattr(validate_module, "load_specs", fail)
    monkeypatch.setattr(validate_module, "validate_project", fail)


def test_a_held_lock_refuses_apply_before_the_specs_are_loaded(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = LockInfo.new("apply")
    _never_load_specs(monkeypatch)
    with backend_for(project).lock(holder), pytest.raises(UserError) as refused:
        apply(project)
    assert holder.id in str(refused.value) and holder.user in str(refused.value)
    assert not project.generated_dir.exists()


def test_a_held_lock_refuses_a_saved_plan_before_the_specs_are_loaded(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    planfile = tmp_path / "plan.json"
    save_plan(plan(project).plan, planfile)
    holder = LockInfo.new("plan")
    _never_load_specs(monkeypatch)
    with backend_for(project).lock(holder):
        applied = apply(project, planfile=str(planfile))
    assert applied.outcome == "refused" and not applied.ok
    assert [d.code for d in applied.diagnostics] == ["MS507"]
    assert holder.id in applied.diagnostics[0].message
    assert not project.generated_dir.exists()


def test_apply_creates_and_a_second_plan_has_no_changes(project: Project) -> None:
    applied = apply(project)
    assert applied.outcome == "applied" and applied.ok, applied.diagnostics
    assert applied.state is not None and applied.state.serial == 1
    assert applied.plan is not None and applied.plan.summary.create == 4
    assert (project.generated_dir / CARD).is_file()
    again = plan(project)
    assert again.diagnostics == [] and not again.plan.has_changes
    assert apply(project).outcome == "no-changes"
    [record] = read_audit(project.work_dir / "audit.jsonl")
    assert record["status"] == "ok" and record["overrides"] == [] and record["waived"] == []


def test_confirm_sees_the_plan_under_the_apply_lock_and_can_cancel(project: Project) -> None:
    seen: list[Planned] = []

    def confirm(planned: Planned) -> bool:
        seen.append(planned)
        held = planned.backend.current_lock()
        assert held is not None and held.command == "apply"
        return False

    applied = apply(project, confirm=confirm)
    assert applied.outcome == "cancelled" and not applied.ok
    assert [p.plan.summary.create for p in seen] == [4]
    assert seen[0].plan.policy["blocking"] is False
    assert not project.generated_dir.exists()
    assert backend_for(project).current_lock() is None
    assert backend_for(project).read().serial == 0


def test_a_saved_plan_is_applied_exactly_and_then_stale(project: Project, tmp_path: Path) -> None:
    planfile = tmp_path / "plan.json"
    save_plan(plan(project).plan, planfile)
    first = apply(project, planfile=str(planfile))
    assert first.outcome == "applied" and first.ok and first.checks == []
    again = apply(project, planfile=str(planfile))
    assert [d.code for d in again.diagnostics] == ["MS504"]
    assert "Saved plan is stale: state serial is 1, the plan was made at 0" in (
        again.diagnostics[0].message
    )


def test_a_corrupt_saved_plan_is_invalid(project: Project, tmp_path: Path) -> None:
    planfile = tmp_path / "plan.json"
    planfile.write_text('{"format_version": "1"')
    applied = apply(project, planfile=str(planfile))
    assert applied.outcome == "invalid" and [d.code for d in applied.checks] == ["MS503"]
    with pytest.raises(UserError, match="cannot read the plan file"):
        apply(project, planfile=str(tmp_path / "missing.json"))


def test_overrides_need_a_reason_and_name_the_user() -> None:
    with pytest.raises(ValueError, match="--override needs --reason"):
        make_overrides(["canary"], "  ")
    with pytest.raises(ValueError, match="--reason goes with --override"):
        make_overrides([], "because")
    [override] = make_overrides(["canary", "canary"], " hot   fix ")
    assert override.policy == "canary" and override.reason == "hot fix"
