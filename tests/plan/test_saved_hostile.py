"""Hostile saved plan files: `show` and `apply PLANFILE` give one clear error and change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hostile_files import EXPECTED, JSON_KINDS, KINDS, plant

from modelspec.cli import cli
from modelspec.plan.model import Plan
from modelspec.plan.saved import dumps_plan, loads_plan


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)

pytestmark = pytest.mark.usefixtures("no_hang")  # a blocked read fails after 20 s


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "modelspec.yaml").write_text("project: demo\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_plan_file_is_one_clear_error(root: Path, kind: str) -> None:
    plant(root / "plan.json", kind)
    for command in (("show", "plan.json"), ("apply", "plan.json")):
        result = run(*command)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert "plan.json" in result.output and EXPECTED[kind] in result.output
        if kind in JSON_KINDS:
            assert "MS503" in result.output and "not a readable saved plan" in result.output
        else:
            assert result.output.startswith("Error: cannot read the plan file plan.json: ")
        assert "make a new one with `modelspec plan --out FILE`" in result.output
    assert sorted(p.name for p in root.iterdir()) == ["modelspec.yaml", "plan.json"]


def test_non_finite_values_in_diffs_are_saved_as_null() -> None:
    from modelspec.plan.model import AttributeDiff, Change

    change = Change(
        "model.m",
        "Model",
        "m",
        ("update",),
        "alpha changed",
        (AttributeDiff("/spec/alpha", float("inf"), float("nan")),),
    )
    loaded, diags = loads_plan(dumps_plan(Plan("l", 1, changes=(change,))), "p.json")
    assert diags == [] and loaded is not None
    assert loaded.changes[0].diffs == (AttributeDiff("/spec/alpha", None, None),)
