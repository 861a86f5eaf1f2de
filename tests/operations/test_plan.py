"""operations.plan: the whole plan (policy and promotion included) under the state lock, and saving it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from plan_workspace import SPECS

from modelspec.errors import UserError
from modelspec.operations.plan import plan, save_plan
from modelspec.operations.show import show
from modelspec.project import Project, load_project
from modelspec.state import LockInfo, MemoryBackend, backend_for

POLICY = """
apiVersion: modelspec/v1
kind: Policy
metadata: {name: canary, owner: compliance}
spec:
  description: Deployments roll out gradually.
  enforcement: advisory
  applies_to: {kinds: [Deployment]}
  rules:
    - id: canary-required
      assert: {field: spec.rollout.strategy, in: [canary, shadow]}
"""


def _load(root: Path) -> Project:
    project, diags = load_project(root)
    assert project is not None, diags
    return project


@pytest.fixture
def project(make_project: Callable[[dict[str, str]], Path]) -> Project:
    return _load(make_project({**SPECS, "policy.yaml": POLICY}))


def test_the_plan_carries_the_policy_results(project: Project) -> None:
    planned = plan(project)
    assert planned.valid and planned.plan.summary.create == 5  # the policy is a resource too
    [result] = planned.plan.policy["results"]
    assert result["policy"] == "canary" and planned.plan.policy["blocking"] is False
    assert [d.code for d in planned.diagnostics] == [d.code for d in planned.validation.diagnostics]


def test_a_plan_with_errors_plans_nothing(make_project: Callable[[dict[str, str]], Path]) -> None:
    model = SPECS["model.yaml"].replace("contract: churn", "contract: nope")
    broken = _load(make_project({**SPECS, "model.yaml": model}))
    planned = plan(broken)
    assert not planned.valid and not planned.plan.changes and planned.artifacts == {}


def test_plan_reads_the_given_backend_under_its_lock(project: Project) -> None:
    backend = MemoryBackend()
    holder = LockInfo.new("apply")
    with backend.lock(holder), pytest.raises(UserError) as refused:
        plan(project, backend=backend)
    assert holder.id in str(refused.value)
    assert plan(project, backend=backend).backend is backend
    assert backend_for(project).current_lock() is None


def test_a_saved_plan_reads_back_the_same(project: Project, tmp_path: Path) -> None:
    made = plan(project).plan
    save_plan(made, tmp_path / "plan.json")
    shown = show(str(tmp_path / "plan.json"))
    assert shown.plan is not None and shown.diagnostics == []
    assert shown.plan.changes == made.changes and shown.plan.resources == made.resources


def test_saving_where_no_file_can_be_is_a_user_error(project: Project, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(UserError, match="cannot write the plan to"):
        save_plan(plan(project).plan, tmp_path / "file" / "plan.json")
