"""The in-memory state and its file format."""

from __future__ import annotations

import json

import pytest

from modelspec.state import ResourceState, State, StateError, dumps_state, loads_state


def make_resource(address: str = "model.churn", **overrides: object) -> ResourceState:
    kind_lower, _, name = address.partition(".")
    fields: dict[str, object] = {
        "address": address,
        "kind": kind_lower.capitalize(),
        "name": name,
        "digest": "sha256:" + "ab" * 32,
        "spec": {
            "apiVersion": "modelspec/v1",
            "kind": "Model",
            "metadata": {"name": name},
            "spec": {"version": "1.0.0"},
        },
        "outputs": {"build": "1.0.0+1", "metrics": {"roc_auc": 0.91}},
        "artifacts": {f"models/{name}/card.md": "sha256:" + "cd" * 32},
        "depends_on": ("datacontract.churn",),
    }
    fields.update(overrides)
    return ResourceState(**fields)  # type: ignore[arg-type]


def test_empty_state_has_serial_zero_and_a_fresh_lineage() -> None:
    a, b = State.empty(), State.empty()
    assert a.serial == 0 and not a.resources
    assert a.lineage != b.lineage
    assert State.empty("fixed").lineage == "fixed"


def test_helpers_return_new_states_sorted_by_address() -> None:
    base = State.empty()
    state = base.with_resource(make_resource("model.zeta")).with_resource(
        make_resource("model.alpha")
    )
    assert list(state.resources) == ["model.alpha", "model.zeta"]
    assert not base.resources
    assert list(state.without("model.zeta").resources) == ["model.alpha"]
    assert state.without("model.absent") == state
    bumped = state.bump()
    assert (bumped.serial, state.serial) == (1, 0)
    assert bumped.lineage == state.lineage


def test_resource_stored_under_another_address_is_refused() -> None:
    with pytest.raises(ValueError, match="has address"):
        State(lineage="l", serial=0, resources={"model.a": make_resource("model.b")})


def test_round_trip_through_the_file_format() -> None:
    state = State(lineage="lin", serial=7, resources={}).with_resource(make_resource("model.b"))
    state = state.with_resource(make_resource("datacontract.churn", depends_on=()))
    text = dumps_state(state)
    assert loads_state(text, "state.json") == state
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data["format_version"] == 1
    assert list(data["resources"]) == ["datacontract.churn", "model.b"]
    assert data["resources"]["model.b"]["depends_on"] == ["datacontract.churn"]
    assert text == json.dumps(data, sort_keys=True, indent=2) + "\n"


def test_newer_format_version_is_refused() -> None:
    text = json.dumps({"format_version": 2, "lineage": "l", "serial": 1, "resources": {}})
    with pytest.raises(StateError, match=r"state.json has format_version 2.*at most version 1"):
        loads_state(text, "state.json")


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], "the top level must be a JSON object"),
        (
            {"lineage": "l", "serial": 0, "resources": {}},
            "format_version must be a positive integer",
        ),
        ({"format_version": 1, "serial": 0, "resources": {}}, "lineage is missing"),
        (
            {"format_version": 1, "lineage": "l", "serial": "3", "resources": {}},
            "serial must be an integer",
        ),
        (
            {"format_version": 1, "lineage": "l", "serial": True, "resources": {}},
            "serial must be an integer",
        ),
        (
            {
                "format_version": 1,
                "lineage": "l",
                "serial": 0,
                "resources": {"m.a": {"kind": "Model"}},
            },
            r"resources\['m.a'\]\.artifacts is missing",
        ),
    ],
)
def test_malformed_documents_name_the_file_and_the_problem(document: object, problem: str) -> None:
    with pytest.raises(StateError, match=f"state file s.json is corrupt: {problem}"):
        loads_state(json.dumps(document), "s.json")


def test_invalid_json_names_the_file_position_and_backup() -> None:
    with pytest.raises(StateError) as info:
        loads_state('{"format_version": 1,\n  "lineage": ', "s.json", backup="s.json.backup")
    message = str(info.value)
    assert "state file s.json is corrupt: not valid JSON at line 2" in message
    assert "previous state is kept in s.json.backup" in message
