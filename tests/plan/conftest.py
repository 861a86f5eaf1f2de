"""Fixtures for plan tests: a small project written into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from plan_workspace import SPECS, Workspace


@pytest.fixture
def workspace(make_project: Callable[[dict[str, str]], Path]) -> Workspace:
    return Workspace(make_project(SPECS))


@pytest.fixture
def applied(workspace: Workspace) -> Workspace:
    """The workspace after a first, successful apply."""
    _, diags = workspace.apply()
    assert diags == []
    return workspace
