"""Every pattern in the spec matches the whole value: a final newline is refused, for every field."""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from spec_examples import VALID, changed

from modelspec import regex
from modelspec.cli import cli
from modelspec.spec import KINDS
from modelspec.spec.schema import json_schemas

SPEC_SRC = Path(__file__).resolve().parents[2] / "src" / "modelspec" / "spec"

# Every field with a pattern, or a check written as one, and a valid value for it.
FIELDS: list[tuple[str, str]] = [
    *[(kind, "metadata.name") for kind in sorted(VALID)],
    ("Model", "spec.version"),
    ("DataContract", "spec.version"),
    ("Model", "spec.data.contract"),
    ("Model", "spec.training.estimator.class"),
    ("Deployment", "spec.model"),
    ("Deployment", "spec.target"),
    ("Deployment", "spec.resources.cpu"),
    ("Deployment", "spec.resources.memory"),
    ("Target", "spec.namespace"),
    ("Target", "spec.promotion_from"),
    ("Policy", "spec.rules.0.id"),
    ("Policy", "spec.applies_to.where.field"),
    ("Waiver", "spec.policy"),
    ("Waiver", "spec.rule"),
    ("Waiver", "spec.resources.0"),
    ("Waiver", "spec.expires"),
    ("Approval", "spec.subject"),
    ("Approval", "spec.digest"),
    ("Approval", "spec.date"),
]


def value_at(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def refused(kind: str, path: str, value: Any) -> list[Any]:
    with pytest.raises(ValidationError) as info:
        KINDS[kind].model_validate(changed(kind, path, value))
    return info.value.errors()


@pytest.mark.parametrize(("kind", "path"), FIELDS)
@pytest.mark.parametrize("around", ["{}\n", "{}\r\n", "\n{}", "{} "])
def test_a_value_with_a_newline_or_space_around_it_is_refused(
    kind: str, path: str, around: str
) -> None:
    good = value_at(VALID[kind], path)
    KINDS[kind].model_validate(changed(kind, path, good))
    errors = refused(kind, path, around.format(good))
    assert [tuple(str(p) for p in e["loc"][: len(path.split("."))]) for e in errors] == [
        tuple(path.split("."))
    ]


def test_every_pattern_in_the_schemas_is_anchored_and_tested_here() -> None:
    """A new pattern field fails here until it is added to FIELDS above."""
    patterns: dict[str, set[str]] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.setdefault(node["pattern"], set()).add(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    for name, schema in json_schemas().items():
        walk(schema, name)
    for pattern in patterns:
        assert pattern.startswith("^") and pattern.endswith("$"), pattern
        assert regex.problem(pattern) is None, pattern  # RE2 reads it as JSON Schema does
    assert sum(len(where) for where in patterns.values()) == len(FIELDS)


def test_the_spec_package_matches_patterns_only_whole() -> None:
    """No `.match(` or `.search(` in spec/: Python's `$` there accepts a final newline."""
    calls = []
    for path in sorted(SPEC_SRC.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("match", "search")
            ):
                calls.append(f"{path.name}:{node.lineno}")
    assert calls == []


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"^(\d+)-\1$", "uses a backreference (\\1)"),
        ("^(?=x)", "uses lookahead or lookbehind ((?=...)"),
        ("^a++$", "uses an atomic group or possessive quantifier (++)"),
        (r"^a\Z", r"uses \Z"),
        ("^a{2000}$", "repeats more than RE2 allows ({2000}"),
        (r"^\pL{1000}$", "compiles to more than RE2's limit of 1 MiB"),
        ("([a-z", "is not a valid regular expression (missing ]: [a-z)"),
        (r"^a\z", "is RE2 syntax that Python's re does not accept (bad escape \\z at position 2)"),
    ],
)
def test_a_column_pattern_is_re2_that_python_re_also_reads(pattern: str, words: str) -> None:
    (error,) = refused("DataContract", "spec.columns.0.pattern", pattern)
    assert error["type"] == "ms_invalid_regex"
    assert error["msg"].startswith(f"'{pattern}' {words}")
    hint = error["ctx"]["hint"]
    assert error["msg"].endswith(f": {hint}") and ": " not in hint


# ---------------------------------------------------------------- planted in the example project

MODEL = "specs/models/biopsy-malignancy-classifier.yaml"
CONTRACT = "specs/contracts/breast-cancer-biopsies.yaml"


def validate(root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(cli, ["-C", str(root), "validate", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report = json.loads(result.output)
    return result.exit_code, [d for d in report["diagnostics"] if d["severity"] == "error"]


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_name_ending_in_a_newline_is_refused(example_project: Path) -> None:
    edit(example_project, MODEL, "  name: biopsy-malignancy-classifier\n",
         '  name: "biopsy-malignancy-classifier\\n"\n')
    code, errors = validate(example_project)
    assert code == 1
    first = next(e for e in errors if e["file"] == MODEL)
    assert (first["code"], first["file"], first["line"], first["path"]) == (
        "MS206", MODEL, 5, "/metadata/name"
    )
    assert first["message"] == (
        "metadata.name: 'biopsy-malignancy-classifier\\n' is not a valid name: use at most 63 "
        "lowercase letters, digits and '-', starting and ending with a letter or digit "
        "(for example 'churn-classifier')"
    )


def test_a_version_ending_in_a_newline_is_refused(example_project: Path) -> None:
    edit(example_project, MODEL, "  version: 1.0.0\n", '  version: "1.0.0\\n"\n')
    code, errors = validate(example_project)
    assert code == 1
    (error,) = [e for e in errors if e["file"] == MODEL]
    assert (error["code"], error["file"], error["line"], error["path"]) == (
        "MS207", MODEL, 10, "/spec/version"
    )
    assert error["message"].startswith("spec.version: '1.0.0\\n' is not a semantic version")


def test_a_version_with_build_metadata_is_refused_with_what_to_write(example_project: Path) -> None:
    edit(example_project, MODEL, "  version: 1.0.0\n", "  version: 2.0.1+1\n")
    code, errors = validate(example_project)
    assert code == 1
    (error,) = [e for e in errors if e["file"] == MODEL]  # the deployment misses its model too
    assert (error["code"], error["file"], error["line"], error["path"]) == (
        "MS207", MODEL, 10, "/spec/version"
    )
    assert error["message"] == (
        "spec.version: '2.0.1+1' has build metadata (+1), which modelspec reserves for the builds "
        "it registers as <version>+<N>: write 2.0.1, or a pre-release such as 2.0.1-rc.1"
    )
    assert error["hint"] == "drop +1: write 2.0.1"


def test_a_pre_release_version_is_still_valid(example_project: Path) -> None:
    edit(example_project, MODEL, "  version: 1.0.0\n", "  version: 2.0.1-rc.1\n")
    _, errors = validate(example_project)
    # The changed model needs compliance's approval again; its spec is valid.
    assert [(e["code"], e["message"].split("]")[0]) for e in errors] == [
        ("MS401", "[high-risk-models-overseen/compliance-approved")
    ]


def test_a_contract_pattern_with_a_backreference_is_refused(example_project: Path) -> None:
    edit(example_project, CONTRACT, 'pattern: "^BC-[0-9]{6}$"', r'pattern: "^(BC)-[0-9]{6}\\1$"')
    code, errors = validate(example_project)
    assert code == 1
    (error,) = [e for e in errors if e["file"] == CONTRACT]  # its model misses it too
    assert (error["code"], error["file"], error["line"], error["path"]) == (
        "MS205", CONTRACT, 16, "/spec/columns/0/pattern"
    )
    assert error["message"] == (
        "spec.columns[0].pattern: '^(BC)-[0-9]{6}\\1$' uses a backreference (\\1), which RE2, "
        "the linear-time engine modelspec matches patterns with, lacks: repeat the group's "
        "pattern instead of referring back to it"
    )
    assert error["hint"] == "repeat the group's pattern instead of referring back to it"


def test_non_finite_numbers_are_refused_wherever_a_spec_takes_a_number() -> None:
    from pydantic import BaseModel

    from modelspec.spec.common import Number, Scalar, SpecModel

    class Holder(SpecModel):
        number: Number | None = None
        scalar: Scalar | None = None

    for value in (math.inf, -math.inf, math.nan):
        for field in ("number", "scalar"):
            try:
                Holder.model_validate({field: value})
            except ValueError as exc:
                assert "is not a finite number" in str(exc)
            else:
                raise AssertionError(f"{field}={value} was accepted")
    assert Holder.model_validate({"number": 1.5, "scalar": "x"}).number == 1.5
    assert isinstance(Holder(), BaseModel)
