"""A value outside its enum is named in the message, with the choices, at its file:line:column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile import run

MODEL = "specs/models/biopsy-malignancy-classifier.yaml"
POLICY = "specs/governance/policies.yaml"


def _diagnostics(root: Path) -> list[dict[str, object]]:
    code, out, err = run(root, "validate", "--format", "json")
    assert code == 1, out + err
    found: list[dict[str, object]] = json.loads(out)["diagnostics"]
    return [d for d in found if d["code"] == "MS205"]


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_message_names_the_value_and_the_choices(example_project: Path) -> None:
    _edit(example_project, MODEL, "task: classification", "task: telepathy")
    (d,) = _diagnostics(example_project)
    assert d["message"] == "spec.task 'telepathy' is not one of classification, regression"
    lines = (example_project / MODEL).read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text == "  task: telepathy")
    assert (d["file"], d["line"], d["column"]) == (MODEL, line, 9)
    assert d["hint"] == "use one of 'classification' or 'regression'"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("task: classification", "task: 5", "spec.task 5 is not one of classification, regression"),
        ("task: classification", "task: true", "spec.task true is not one of classification, regression"),
        (
            "task: classification",
            "task: " + "x" * 100,
            f"spec.task '{'x' * 57}...' is not one of classification, regression",
        ),
    ],
)
def test_other_values_are_shown_as_yaml_wrote_them(
    example_project: Path, old: str, new: str, message: str
) -> None:
    _edit(example_project, MODEL, old, new)
    (d,) = _diagnostics(example_project)
    assert d["message"] == message


def test_a_list_item_names_its_place(example_project: Path) -> None:
    text = (example_project / POLICY).read_text(encoding="utf-8")
    kind = next(k for k in ("Deployment", "Model") if f"kinds: [{k}" in text)
    _edit(example_project, POLICY, f"kinds: [{kind}", "kinds: [Telepathy")
    found = _diagnostics(example_project)
    assert found and all("'Telepathy' is not one of DataContract, Model, Target" in str(d["message"])
                         for d in found)
    assert str(found[0]["message"]).startswith("spec.applies_to.kinds[0] 'Telepathy'")
