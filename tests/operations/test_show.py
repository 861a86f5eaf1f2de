"""operations.show: a saved plan file read back, or why it cannot be."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelspec.errors import UserError
from modelspec.operations.show import read_saved_plan, show


def test_a_corrupt_file_is_one_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": "1"')
    shown = show(str(path))
    assert shown.plan is None and [d.code for d in shown.diagnostics] == ["MS503"]
    assert "not a readable saved plan" in shown.diagnostics[0].message


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"cannot read the plan file nope\.json"):
        read_saved_plan("nope.json")
