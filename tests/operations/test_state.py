"""operations.state: reading the state and the lock, errors the user can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelspec.errors import UserError
from modelspec.operations.state import held_lock, read_state, state_resource
from modelspec.project import Project, load_project


@pytest.fixture
def project(example_project: Path) -> Project:
    loaded, diags = load_project(example_project)
    assert loaded is not None, diags
    return loaded


def test_an_unapplied_project_has_an_empty_state(project: Project) -> None:
    assert read_state(project).resources == {}
    with pytest.raises(UserError, match="the state is empty"):
        state_resource(project, "model.nope")


def test_force_unlock_needs_a_lock(project: Project) -> None:
    with pytest.raises(UserError):
        held_lock(project, "abc")
