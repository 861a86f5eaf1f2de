"""plan over a state whose stored specs were edited by hand: never exit 3, whatever JSON they hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from modelspec.cli import cli

CONTRACT = "datacontract.diabetes-cohort"


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example applied with the argo engine (rendering only, no training)."""
    from modelspec.examples.scaffold import init_project

    root = tmp_path_factory.mktemp("hostile-state") / "example"
    init_project(root)
    config = root / "modelspec.yaml"
    config.write_text(config.read_text().replace("engine: local", "engine: argo"))
    result = CliRunner().invoke(cli, ["-C", str(root), "apply", "--auto-approve"])
    assert result.exit_code == 0, result.output
    return root


EDITS: dict[str, Any] = {
    "a bound that is an object": lambda spec: spec["spec"]["columns"][2].update(max={"a": 1}),
    "a bound that is text": lambda spec: spec["spec"]["columns"][2].update(min="low"),
    "allowed that is a number": lambda spec: spec["spec"]["columns"][1].update(allowed=3),
    "columns that are text": lambda spec: spec["spec"].update(columns="x"),
    "a spec that is a list": lambda spec: spec.update(spec=[1, 2]),
    "quality that is a list": lambda spec: spec["spec"].update(quality=[{"row_count": 1}]),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_plan_reports_the_change_instead_of_crashing(applied: Path, tmp_path: Path, edit: Any) -> None:
    state_path = applied / ".modelspec" / "state.json"
    original = state_path.read_text()
    try:
        state = json.loads(original)
        edit(state["resources"][CONTRACT]["spec"])
        state_path.write_text(json.dumps(state))
        result = CliRunner().invoke(
            cli, ["-C", str(applied), "plan", "--detailed-exitcode", "--format", "markdown"]
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        # a change plan shows (2), or a bound it cannot rank, which counts as breaking (MS502)
        assert result.exit_code in (1, 2), result.output
        assert CONTRACT in result.output
        assert "Traceback" not in result.output
    finally:
        state_path.write_text(original)
